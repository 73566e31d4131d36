import NetCore
import Records
import Testing
@testable import Detect

/// `ConnectionWithoutDNSDetector` and `DNSWithoutConnectionDetector`: Slips' waits (15 s, 30 min, here packet
/// time) at and just below, its exclusions, its words and weights.
@Suite("Connections and DNS answers")
struct DNSConnectionPairingTests {
    private typealias Kit = DetectorsTestKit
    private static let client = Kit.ip("10.0.0.5")

    private static func connection(_ uid: UInt64, to destination: String, at seconds: Double, port: UInt16 = 443,
                                   proto: TransportProtocol = .tcp) -> ChannelMessage {
        Kit.message(Kit.flow(uid: uid, src: client, dst: Kit.ip(destination), dport: port, proto: proto,
                             state: .SF, start: seconds))
    }

    // MARK: CONNECTION_WITHOUT_DNS

    @Test func answerWithinTheWaitCoversTheConnectionOneAfterItDoesNot() throws {
        let (detector, collected) = try Kit.make(ConnectionWithoutDNSDetector.self)
        try detector.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: "a.example", answers: ["93.184.216.1"]))
        try detector.main(Self.connection(10, to: "93.184.216.1", at: 1))     // resolved before
        try detector.main(Self.connection(11, to: "93.184.216.2", at: 10))    // answered 14.9 s later: in the wait
        try detector.main(Self.connection(12, to: "93.184.216.3", at: 10))    // answered 15.1 s later: too late
        try detector.main(Kit.dns(uid: 2, at: 24.9, client: Self.client, query: "b.example", answers: ["93.184.216.2"]))
        try detector.tick(now: Kit.at(24.99))
        #expect(collected.of(.CONNECTION_WITHOUT_DNS).isEmpty)                // 12's wait ends at 25 s
        try detector.tick(now: Kit.at(25))
        try detector.main(Kit.dns(uid: 3, at: 25.1, client: Self.client, query: "c.example", answers: ["93.184.216.3"]))
        try detector.shutdownGracefully()
        let found = collected.of(.CONNECTION_WITHOUT_DNS)
        try #require(found.count == 1)
        #expect(found[0].description == "A connection without DNS resolution to Destination IP: 93.184.216.3")
        #expect(found[0].threatLevel == .info && found[0].confidence == 0.8 && found[0].uids == [FlowUID(12)])
        #expect(found[0].attacker.value == "10.0.0.5")
    }

    @Test func slipsExclusionsAreNotJudged() throws {
        let (detector, collected) = try Kit.make(ConnectionWithoutDNSDetector.self)
        var dhcp = DHCPRecord(time: Kit.at(0))
        dhcp.clientAddress = Self.client
        dhcp.serverAddress = Kit.ip("93.184.216.67")
        try detector.main(Kit.record(dhcp))
        try detector.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: "a.example", answers: ["93.184.216.1"]))
        for (uid, destination) in [(10, "192.168.1.9"), (11, "224.0.0.251"), (12, "169.254.1.1"), (13, "127.0.0.1"),
                                   (14, "240.0.0.1"), (15, "93.184.216.67")] {
            try detector.main(Self.connection(UInt64(uid), to: destination, at: 1))
        }
        try detector.main(Self.connection(16, to: "8.8.8.8", at: 1, port: 53, proto: .udp))
        try detector.main(Self.connection(17, to: "9.9.9.9", at: 1, port: 0, proto: .icmp))
        try detector.shutdownGracefully()
        #expect(collected.of(.CONNECTION_WITHOUT_DNS).isEmpty)
    }

    @Test func withoutAnyDNSRecordNothingIsJudgedAndPairsReportOncePerWindow() throws {
        let (lone, loneCollected) = try Kit.make(ConnectionWithoutDNSDetector.self)
        try lone.main(Self.connection(1, to: "93.184.216.9", at: 1))
        try lone.shutdownGracefully()
        #expect(loneCollected.evidence.isEmpty)

        let (detector, collected) = try Kit.make(ConnectionWithoutDNSDetector.self)
        try detector.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: "a.example", answers: ["93.184.216.1"]))
        try detector.main(Self.connection(2, to: "93.184.216.9", at: 1))
        try detector.main(Self.connection(2, to: "93.184.216.9", at: 1))      // the same flow's final record
        try detector.main(Self.connection(3, to: "93.184.216.9", at: 2))      // the same pair, same window
        try detector.main(Self.connection(4, to: "93.184.216.9", at: 3_700))  // next window
        try detector.shutdownGracefully()
        #expect(collected.of(.CONNECTION_WITHOUT_DNS).map(\.uids) == [[FlowUID(2)], [FlowUID(4)]])
    }

    @Test func wellKnownOrganizationsAddressesAreNotJudged() throws {
        var google = WhitelistOrganization(name: "google", rule: WhitelistRule())
        google.load(ranges: "142.250.0.0/15", domains: "google.com", asNumbers: nil)
        var settings = DetectionSettings()
        settings.organizations = [google]
        let (detector, collected) = try Kit.make(ConnectionWithoutDNSDetector.self, settings: settings)
        try detector.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: "a.example", answers: ["93.184.216.1"]))
        var ssl = SSLRecord(time: Kit.at(0.5), uid: FlowUID(20),
                            id: ConnectionID(originator: Self.client, originatorPort: 1, responder: Kit.ip("203.0.113.8"), responderPort: 443))
        ssl.serverName = "www.google.com"
        try detector.main(Kit.record(ssl))
        try detector.main(Self.connection(20, to: "203.0.113.8", at: 1))     // its SNI is Google's
        try detector.main(Self.connection(21, to: "142.250.3.3", at: 1))     // in Google's range
        try detector.shutdownGracefully()
        #expect(collected.of(.CONNECTION_WITHOUT_DNS).isEmpty)
    }

    // MARK: DNS_WITHOUT_CONNECTION

    @Test func answerWithoutAConnectionWithinThirtyMinutesIsEvidence() throws {
        let (detector, collected) = try Kit.make(DNSWithoutConnectionDetector.self)
        try detector.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: "used.example", answers: ["93.184.216.1"]))
        try detector.main(Kit.dns(uid: 2, at: 0, client: Self.client, query: "unused.example", answers: ["93.184.216.2"]))
        try detector.main(Self.connection(10, to: "93.184.216.1", at: 1_799))
        try detector.tick(now: Kit.at(1_799.9))
        #expect(collected.of(.DNS_WITHOUT_CONNECTION).isEmpty)                 // just below 30 minutes
        try detector.tick(now: Kit.at(1_800))
        let found = collected.of(.DNS_WITHOUT_CONNECTION)
        try #require(found.count == 1)
        #expect(found[0].description == "domain unused.example resolved with no connection")
        #expect(found[0].threatLevel == .info && found[0].confidence == 0.8 && found[0].uids == [FlowUID(2)])
        #expect(found[0].victim?.iocType == .DOMAIN && found[0].victim?.value == "unused.example")
    }

    @Test func earlierResolutionsAndCNAMEsCountAsConnected() throws {
        let (detector, collected) = try Kit.make(DNSWithoutConnectionDetector.self)
        try detector.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: "cdn.example", answers: ["93.184.216.7"]))
        try detector.main(Self.connection(10, to: "93.184.216.7", at: 1))
        // The same name later answers another address: the earlier one was contacted.
        try detector.main(Kit.dns(uid: 2, at: 5, client: Self.client, query: "cdn.example", answers: ["93.184.216.8"]))
        // A CNAME answer whose name resolved to a contacted address.
        try detector.main(Kit.dns(uid: 3, at: 6, client: Self.client, query: "www.shop.example",
                                  answers: ["cdn.example", "93.184.216.9"]))
        try detector.shutdownGracefully()
        #expect(collected.of(.DNS_WITHOUT_CONNECTION).isEmpty)
    }

    @Test(arguments: [
        ("1.100.51.198.in-addr.arpa", "A", "NOERROR", ["93.184.216.1"]),
        ("printer.local", "A", "NOERROR", ["93.184.216.1"]),
        ("mail.example", "MX", "NOERROR", ["mx.example"]),
        ("gone.example", "A", "NXDOMAIN", [String]()),
        ("empty.example", "A", "NOERROR", [String]()),
        ("WPAD", "A", "NOERROR", ["93.184.216.1"]),
        ("origin.asn.cymru.com", "A", "NOERROR", ["93.184.216.1"]),
    ])
    func slipsExclusionsOfAnswers(query: String, type: String, rcode: String, answers: [String]) throws {
        let (detector, collected) = try Kit.make(DNSWithoutConnectionDetector.self)
        try detector.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: query, qtype: type, rcode: rcode,
                                  answers: answers))
        try detector.shutdownGracefully()
        #expect(collected.of(.DNS_WITHOUT_CONNECTION).isEmpty)
    }
}
