import NetCore
import Records
import Testing
@testable import Detect

/// `UserAgentDetector`: Slips' MULTIPLE_USER_AGENT and INCOMPATIBLE_USER_AGENT with an offline reading of the
/// user agent and a manuf MAC vendor table.
@Suite("User agents")
struct UserAgentTests {
    private typealias Kit = DetectorsTestKit
    private static let client = Kit.ip("10.0.0.8")
    private static let windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
    private static let mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
    private static let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"

    private static func request(_ uid: UInt64, _ userAgent: String, at seconds: Double = 1) -> ChannelMessage {
        Kit.http(uid: uid, at: seconds, client: client, server: Kit.ip("203.0.113.80")) { $0.userAgent = userAgent }
    }

    @Test func readingOfUserAgents() {
        let windows = UserAgentInfo(Self.windows)
        #expect(windows.osType == "Windows" && windows.osName == "Windows NT 10.0" && windows.browser == "Chrome")
        let mac = UserAgentInfo(Self.mac)
        #expect(mac.osType == "Macintosh" && mac.osName == "Mac OS X 10_15_7" && mac.browser == "Safari")
        #expect(UserAgentInfo(Self.android).osType == "Android")
        #expect(UserAgentInfo("curl/8.5.0").osType.isEmpty)
    }

    @Test func anotherSystemAfterTheFirstIsMultipleUserAgents() throws {
        let (detector, collected) = try Kit.make(UserAgentDetector.self, own: {
            var own = UserAgentDetector.Settings(); own.macVendorsFile = ""; return own
        }())
        try detector.main(Self.request(1, Self.windows))
        try detector.main(Self.request(2, Self.windows.replacing("Chrome/120.0", with: "Chrome/121.0")))  // same system
        try detector.main(Self.request(3, "curl/8.5.0" + " (Windows NT 10.0)"))                            // names it
        #expect(collected.of(.MULTIPLE_USER_AGENT).isEmpty)
        try detector.main(Self.request(4, Self.android))
        try detector.main(Self.request(5, Self.android))                                                   // reported once
        let found = collected.of(.MULTIPLE_USER_AGENT)
        try #require(found.count == 1)
        #expect(found[0].description == "Using multiple user-agents: \"\(Self.windows)\" then \"\(Self.android)\"")
        #expect(found[0].threatLevel == .info && found[0].confidence == 1 && found[0].uids == [FlowUID(4)])
    }

    @Test func firstAgentNamingNoSystemNeverDiffers() throws {
        let (detector, collected) = try Kit.make(UserAgentDetector.self)
        try detector.main(Self.request(1, "curl/8.5.0"))
        try detector.main(Self.request(2, Self.android))
        #expect(collected.of(.MULTIPLE_USER_AGENT).isEmpty)
    }

    @Test func safariOnANonAppleVendorAndAndroidOnAnAppleOneAreIncompatible() throws {
        let (detector, collected) = try Kit.make(UserAgentDetector.self, own: {
            var own = UserAgentDetector.Settings(); own.macVendorsFile = ""; return own
        }())
        detector.vendors = MACVendors(manuf: "F0:18:98\tApple\tApple, Inc.\n00:50:F2\tMicrosof\tMicrosoft Corp.\n"
                                      + "00:1B:C5:00:00:00/36\tX\tSkipped block\n")
        #expect(detector.vendors.count == 2 && detector.vendors.skipped == 1)
        var flow = Kit.flow(uid: 50, src: Self.client, dst: Kit.ip("203.0.113.80"), dport: 80, handshake: true)
        flow.originatorMAC = MACAddress(0xF018_9800_0001)                       // Apple
        try detector.main(Kit.message(flow))
        try detector.main(Self.request(1, Self.mac))                             // Safari on Apple: fine
        #expect(collected.of(.INCOMPATIBLE_USER_AGENT).isEmpty)

        let other = Kit.ip("10.0.0.9")
        // A forged flow (no proven handshake) pairing the host with an Apple MAC teaches nothing.
        var forged = Kit.flow(uid: 52, src: other, dst: Kit.ip("203.0.113.80"), dport: 80, handshake: false)
        forged.originatorMAC = MACAddress(0xF018_9800_0009)
        try detector.main(Kit.message(forged))
        var microsoft = Kit.flow(uid: 51, src: other, dst: Kit.ip("203.0.113.80"), dport: 80, handshake: true)
        microsoft.originatorMAC = MACAddress(0x0050_F200_0002)                   // Microsoft
        try detector.main(Kit.message(microsoft))
        try detector.main(Kit.http(uid: 2, client: other, server: Kit.ip("203.0.113.80")) { $0.userAgent = Self.mac })
        let found = collected.of(.INCOMPATIBLE_USER_AGENT)
        try #require(found.count == 1)
        #expect(found[0].threatLevel == .high && found[0].confidence == 1 && found[0].attacker.value == "10.0.0.9")
        #expect(found[0].description == "using incompatible user-agent (\(Self.mac)) that belongs to OS: mac os x 10_15_7 "
                + "type: macintosh browser: safari. while connecting to example.org/. IP has MAC vendor: Microsoft corp.")
        #expect(!UserAgentDetector.isIncompatible(vendor: "Apple, Inc.", info: UserAgentInfo(Self.mac)))
        #expect(UserAgentDetector.isIncompatible(vendor: "Apple, Inc.", info: UserAgentInfo(Self.android)))
        #expect(!UserAgentDetector.isIncompatible(vendor: "Raspberry Pi Trading", info: UserAgentInfo(Self.android)))
    }

    @Test func debianManufFileLoadsWhenPresent() throws {
        let path = "/usr/share/wireshark/manuf"
        guard (try? TextFile.read(path, limit: 1 << 10)) != nil else {
            try Test.cancel("no \(path) (Debian's wireshark-common, installed with tshark by make deps)")
        }
        let (detector, _) = try Kit.make(UserAgentDetector.self)
        try detector.preMain()
        #expect(detector.vendors.count > 10_000)
        #expect(detector.vendors.vendor(of: MACAddress(0xF018_9800_0001))?.hasPrefix("Apple") == true)
    }
}
