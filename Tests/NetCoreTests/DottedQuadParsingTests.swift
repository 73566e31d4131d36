import Glibc
import Testing
@testable import NetCore

/// The allocation-free IPv4 path must agree with `inet_pton(AF_INET)` on every digits-and-dots text.
@Suite("Dotted-quad parsing agrees with inet_pton")
struct DottedQuadParsingTests {
    private static func reference(_ text: String) -> UInt32? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return UInt32(bigEndian: address.s_addr)
    }

    @Test("hand-picked edge cases", arguments: [
        "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.", ".1.2.3", "1..2.3", "01.2.3.4", "1.2.3.04",
        "1.2.3.0", "10.0.0.1", "1.2.3.4.5", "1234.1.1.1", "", ".", "1.2.3.4a", "a1.2.3.4", "999.0.0.0", "0.00.0.0",
    ])
    func edgeCases(text: String) {
        #expect(IPAddress(text)?.ipv4Value == Self.reference(text))
        #expect((IPAddress(text) != nil) == (Self.reference(text) != nil))
    }

    @Test("200 000 random texts over digits, dots and a letter")
    func randomTexts() {
        let alphabet = Array("0123456789..x")
        var generator = SystemRandomNumberGenerator()
        var disagreements: [String] = []
        var parsed = 0
        for _ in 0..<200_000 {
            let length = Int.random(in: 1...16, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let ours = IPAddress(text)
            let theirs = Self.reference(text)
            if ours?.ipv4Value != theirs || (ours == nil) != (theirs == nil) || (ours.map { !$0.isIPv4 } ?? false) {
                disagreements.append(text)
            }
            if theirs != nil { parsed += 1 }
        }
        #expect(disagreements.isEmpty, "disagree with inet_pton: \(disagreements.prefix(10))")
        #expect(parsed > 0, "the random texts should include some valid addresses")
    }

    @Test("texts the general parser still handles: white space, zone suffix, IPv6")
    func generalParserCases() {
        #expect(IPAddress(" 10.1.2.3\n")?.ipv4Value == 0x0A01_0203)
        #expect(IPAddress("fe80::1%eth0")?.isIPv4 == false)
        #expect(IPAddress("::ffff:1.2.3.4")?.isIPv4 == false)
        #expect(IPAddress("example.com") == nil)
        #expect(IPAddress("1.2.3.4\u{0}") == nil)
    }
}
