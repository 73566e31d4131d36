@testable import Capture
import Testing
import TestSupport

/// JA4 against the published example of FoxIO's spec (technical_details/JA4.md), JA3/JA3S on built hellos,
/// and JA4's ALPN rules.
@Suite("TLS fingerprints: JA3, JA3S, JA4")
struct TLSFingerprintTests {
    static func parse(_ body: [UInt8]) throws -> TLSClientHello {
        var hello = TLSClientHello()
        try body.withUnsafeBytes { bytes in try TLSHelloParser.parseClientHello(bytes, into: &hello) }
        return hello
    }

    @Test("FoxIO's example ClientHello gives the spec's JA4 t13d1516h2_8daaf6152771_e5627efa2ab1")
    func foxIOExample() throws {
        let hello = try Self.parse(TLSWire.foxIOExample())
        #expect(hello.serverName == "example.org" && hello.alpn == ["h2", "http/1.1"])
        #expect(hello.ciphers.count == 16 && hello.extensions.count == 18)
        var fingerprinter = TLSFingerprinter()
        #expect(fingerprinter.ja4(hello, quic: false) == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        #expect(fingerprinter.ja4(hello, quic: true) == "q13d1516h2_8daaf6152771_e5627efa2ab1")
    }

    @Test("without signature algorithms the extension hash is the spec's 6d807ffa2a79 (no trailing underscore)")
    func noSignatureAlgorithms() throws {
        let hello = try Self.parse(TLSWire.foxIOExample(signatureAlgorithms: false))
        var fingerprinter = TLSFingerprinter()
        #expect(fingerprinter.ja4(hello, quic: false) == "t13d1516h2_8daaf6152771_6d807ffa2a79")
    }

    @Test("no ciphers and no extensions give the spec's 000000000000 parts; no SNI gives i, no ALPN 00")
    func empty() throws {
        let hello = try Self.parse(TLSWire.clientHelloBody(version: 0x0303, ciphers: [0x0A0A], extensions: []))
        var fingerprinter = TLSFingerprinter()
        #expect(fingerprinter.ja4(hello, quic: false) == "t12i000000_000000000000_000000000000")
    }

    @Test("JA4's ALPN: the spec's hex examples for non-alphanumeric bytes, and a single character twice",
          arguments: [([0xAB], "ab"), ([0xAB, 0xCD], "ad"), ([0x30, 0xAB], "3b"), ([0x30, 0x31, 0xAB, 0xCD], "3d"),
                      ([0x30, 0xAB, 0xCD, 0x31], "01"), ([0x68], "hh"), (Array("http/1.1".utf8), "h1"), ([], "00")])
    func alpn(bytes: [UInt8], expected: String) {
        let pair = TLSFingerprinter.ja4ALPNPair(bytes)
        #expect(String(decoding: [pair.0, pair.1], as: UTF8.self) == expected)
    }

    @Test("JA3: legacy version, ciphers, extensions, groups, point formats in decimal, GREASE removed; MD5")
    func ja3() throws {
        let hello = try Self.parse(TLSWire.foxIOExample())
        var fingerprinter = TLSFingerprinter()
        let text = fingerprinter.ja3Text(hello)
        #expect(text == "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
                + "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0")
        // The same text hashed by another MD5 (the one swift-crypto's Insecure.MD5 must agree with).
        #expect(fingerprinter.ja3(hello) == TLSFingerprinter.md5Hex(Array(text.utf8)))
        #expect(TLSFingerprinter.md5Hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")   // RFC 1321
    }

    @Test("JA3S: version, cipher, extensions")
    func ja3s() throws {
        let body = TLSWire.serverHelloBody(cipher: 0x1301, extensions: [TLSWire.ext(43, [3, 4]), TLSWire.ext(51, [0, 29, 0, 0])])
        var hello = TLSServerHello()
        try body.withUnsafeBytes { try TLSHelloParser.parseServerHello($0, into: &hello) }
        #expect(hello.version == 0x0304 && hello.keyShareGroup == 29)
        var fingerprinter = TLSFingerprinter()
        #expect(fingerprinter.ja3sText(hello) == "771,4865,43-51")
        #expect(fingerprinter.ja3s(hello).count == 32)
    }

    @Test("every truncation of the example ClientHello is parsed or thrown as one malformation, never a trap")
    func truncations() {
        let body = TLSWire.foxIOExample()
        var failures = 0
        for length in 0..<body.count where (try? Self.parse(Array(body[..<length]))) == nil { failures += 1 }
        // A prefix that ends right after the compression methods is a valid extension-less hello.
        #expect(failures == body.count - 1)
    }

    @Test("JA4's sorted lists: shuffled ciphers and extensions (GREASE, duplicates, 1 to 100 entries, both sides of the rank sort's 64) hash as the same values given already sorted")
    func sortedListsAnyOrder() throws {
        var random = SplitMix64(state: 0x4A41_3453)
        var fingerprinter = TLSFingerprinter()
        for count in [1, 2, 7, 8, 9, 31, 63, 64, 65, 100] {
            // Values drawn from a small range so duplicates occur; a GREASE value or two mixed in.
            var ciphers = (0..<count).map { _ in UInt16.random(in: 0x0001...0x00FF, using: &random) }
            ciphers.insert(0x3A3A, at: Int.random(in: 0...ciphers.count, using: &random))
            // Extension types without contents the parser reads (43, supported_versions, left out), plus SNI and ALPN
            // (dropped from JA4's c list) and GREASE.
            let types = (0..<min(count, 60)).map { _ in UInt16.random(in: 0x0011...0x0040, using: &random) }
                .filter { $0 != 43 } + [0x0000, 0x0010, 0x5A5A]
            let shuffled = try Self.parse(TLSWire.clientHelloBody(ciphers: ciphers.shuffled(using: &random),
                                                                  extensions: types.shuffled(using: &random).map(Self.ext)))
            let sortedCiphers = ciphers.filter { !TLSGrease.isGrease($0) }.sorted()
            let sortedTypes = types.filter { !TLSGrease.isGrease($0) }.sorted()
            let sorted = try Self.parse(TLSWire.clientHelloBody(ciphers: sortedCiphers, extensions: sortedTypes.map(Self.ext)))
            let expected = fingerprinter.ja4(sorted, quic: false)
            #expect(fingerprinter.ja4(shuffled, quic: false) == expected, "\(count) entries")
            let digits = min(sortedCiphers.count, 99)
            #expect(String(expected.dropFirst(4).prefix(2)) == (digits < 10 ? "0\(digits)" : "\(digits)"))
        }
    }

    /// An extension of `type` with contents the parser accepts (ALPN needs a protocol list; the others none).
    private static func ext(_ type: UInt16) -> [UInt8] { TLSWire.ext(type, type == 0x0010 ? [0, 3, 2, 0x68, 0x32] : []) }
}
