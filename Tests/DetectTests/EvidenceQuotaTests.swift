import NetCore
import Records
import Testing
@testable import Detect

/// `EvidenceQuota` in the detectors that make one evidence per destination, name or certificate: at the quota
/// every evidence is set, just above it the extra one is held back and counted, a new window starts again, and
/// evidence that adds to an alert is kept until it alone can alert.
@Suite("Evidence quotas per profile and window")
struct EvidenceQuotaTests {
    private typealias Kit = DetectorsTestKit
    private static let client = Kit.ip("10.0.0.5")
    private static let limit = EvidenceQuota.defaultLimit

    /// `count` connections from the client to distinct unresolved public addresses at `seconds`.
    private static func connections(_ detector: ConnectionWithoutDNSDetector, count: Int, at seconds: Double,
                                    firstUID: UInt64 = 100) throws {
        for index in 0..<count {
            try detector.main(Kit.message(Kit.flow(uid: firstUID + UInt64(index), src: client,
                                                   dst: Kit.ip("93.184.0.0", plus: index), dport: 443, state: .SF,
                                                   start: seconds)))
        }
    }

    @Test(arguments: [limit, limit + 1])
    func connectionsWithoutDNSStopAtTheQuota(count: Int) throws {
        let (detector, collected) = try Kit.make(ConnectionWithoutDNSDetector.self)
        try detector.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: "a.example", answers: ["198.51.100.1"]))
        try Self.connections(detector, count: count, at: 1)
        try detector.shutdownGracefully()
        #expect(collected.of(.CONNECTION_WITHOUT_DNS).count == Self.limit)
        #expect(detector.evidenceHeldBack == count - Self.limit)
    }

    @Test func aNewWindowHasItsOwnQuota() throws {
        let (detector, collected) = try Kit.make(ConnectionWithoutDNSDetector.self)
        try detector.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: "a.example", answers: ["198.51.100.1"]))
        try Self.connections(detector, count: Self.limit + 5, at: 1)
        try detector.tick(now: Kit.at(100))
        try Self.connections(detector, count: Self.limit + 5, at: 3_700, firstUID: 10_000)
        try detector.shutdownGracefully()
        let found = collected.of(.CONNECTION_WITHOUT_DNS)
        #expect(found.filter { $0.timeWindow.number == 1 }.count == Self.limit)
        #expect(found.filter { $0.timeWindow.number == 2 }.count == Self.limit)
        #expect(detector.evidenceHeldBack == 10)
        // Another client has its own quota.
        let (other, otherEvidence) = try Kit.make(ConnectionWithoutDNSDetector.self)
        try other.main(Kit.dns(uid: 1, at: 0, client: Self.client, query: "a.example", answers: ["198.51.100.1"]))
        try Self.connections(other, count: Self.limit, at: 1)
        try other.main(Kit.message(Kit.flow(uid: 9, src: Kit.ip("10.0.0.6"), dst: Kit.ip("93.184.0.0"), dport: 443,
                                            state: .SF, start: 1)))
        try other.shutdownGracefully()
        #expect(otherEvidence.of(.CONNECTION_WITHOUT_DNS).count == Self.limit + 1)
        #expect(other.evidenceHeldBack == 0)
    }

    @Test(arguments: [limit, limit + 1])
    func dnsAnswersWithoutConnectionStopAtTheQuota(count: Int) throws {
        let (detector, collected) = try Kit.make(DNSWithoutConnectionDetector.self)
        for index in 0..<count {
            try detector.main(Kit.dns(uid: UInt64(index + 1), at: 1, client: Self.client, query: "n\(index).example",
                                      answers: [Kit.ip("93.184.0.0", plus: index).description]))
        }
        try detector.shutdownGracefully()
        #expect(collected.of(.DNS_WITHOUT_CONNECTION).count == Self.limit)
        #expect(detector.evidenceHeldBack == count - Self.limit)
    }

    /// A self-signed session from `client` to `server`.
    private static func selfSigned(uid: Int, client: IPAddress, server: IPAddress) -> ChannelMessage {
        var record = SSLRecord(time: Kit.at(1), uid: FlowUID(UInt64(uid)),
                               id: ConnectionID(originator: client, originatorPort: 40_000, responder: server,
                                                responderPort: 443))
        record.validationStatus = "self signed certificate"
        return Kit.record(record)
    }

    @Test func selfSignedServerEvidenceStopsAtTheQuota() throws {
        // One server, many clients: the server's profile (attacker DST, never accumulates) gets the quota.
        let (detector, collected) = try Kit.make(TLSCertificateDetector.self)
        let server = Kit.ip("203.0.113.5")
        for index in 0...Self.limit {
            try detector.main(Self.selfSigned(uid: index + 1, client: Kit.ip("10.0.1.0", plus: index), server: server))
        }
        let found = collected.of(.SELF_SIGNED_CERTIFICATE)
        #expect(found.filter { $0.attacker.direction == .DST }.count == Self.limit)
        #expect(found.filter { $0.attacker.direction == .SRC }.count == Self.limit + 1)
        #expect(detector.evidenceHeldBack == 1)
    }

    @Test func selfSignedClientEvidenceIsKeptUntilItCanAlert() throws {
        // Low × 0.5 = 0.1 each; the default threshold (0.25 over 3600 s) is 15: 150 are needed, so 150 are kept.
        let (detector, collected) = try Kit.make(TLSCertificateDetector.self)
        let settings = DetectionSettings()
        let needed = Int((settings.alertThreshold / 0.1).rounded(.up))
        #expect(needed == 150)
        for index in 0...needed {
            try detector.main(Self.selfSigned(uid: index + 1, client: Self.client, server: Kit.ip("203.0.113.0", plus: index)))
        }
        let fromClient = collected.of(.SELF_SIGNED_CERTIFICATE).filter { $0.attacker.direction == .SRC }
        #expect(fromClient.count == needed)
        #expect(detector.evidenceHeldBack == 1)
        // The kept evidence alone reaches the threshold.
        let handler = EvidenceHandler(settings: settings, whitelist: Whitelist())
        let alerts = fromClient.filter { if case .alert = handler.handle($0) { return true } else { return false } }
        #expect(alerts.count == 1)
    }

    @Test func quotaLimitsForInfoAndAccumulatingEvidence() {
        let quota = EvidenceQuota(alertThreshold: 15, owner: "test")
        func evidence(_ level: ThreatLevel, _ confidence: Double, _ direction: Direction) -> Evidence {
            Evidence(type: .INCOMPATIBLE_CN, description: "", attacker: Attacker(direction: direction, value: "10.0.0.5"),
                     threatLevel: level, confidence: confidence, profile: ProfileID(ip: Self.client),
                     timeWindow: Kit.window(1), uids: [], timestamp: Kit.at(1))
        }
        #expect(quota.limit(for: evidence(.info, 0.8, .SRC)) == 100)
        #expect(quota.limit(for: evidence(.medium, 0.9, .SRC)) == 100)        // 34 reach 15
        #expect(quota.limit(for: evidence(.low, 0.5, .SRC)) == 150)
        #expect(quota.limit(for: evidence(.low, 0.5, .DST)) == 100)           // never accumulates
        #expect(quota.limit(for: evidence(.low, 0.8, .SRC)) == 100)           // 93.75 → 94
    }
}
