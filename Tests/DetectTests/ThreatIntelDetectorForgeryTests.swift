import Detect
import NetCore
import Records
import Testing

/// A listed source address seen only in forged flows (no handshake) gives evidence and alerts that are not
/// verified; one real handshake from it verifies them. The detector passes the flow's uid, the engine decides.
@Suite("Threat intelligence detector: forged sources")
struct ThreatIntelDetectorForgeryTests {
    final class Box { var alerts: [Alert] = [] }

    func run(handshakeAt real: Int?) throws -> Alert {
        var settings = DetectionSettings()
        settings.threatIntelligence = ThreatIntelDetectorTests.lists()
        let engine = DetectionEngine(settings: settings, detectorTypes: [ThreatIntelligenceDetector.self])
        let box = Box()
        engine.onAlert = { box.alerts.append($0) }
        // 15 flows from the listed critical range: 15 × 1 × 1 = 15, the default threshold.
        for i in 0..<15 {
            let flow = DetectorsTestKit.flow(uid: UInt64(500 + i), src: DetectorsTestKit.ip("198.51.100.7"),
                                             sport: UInt16(30_000 + i), dst: DetectorsTestKit.ip("192.168.1.10"),
                                             dport: 22, state: i == real ? .SF : .S0, start: Double(i),
                                             handshake: i == real)
            engine.consume(.record(.conn(flow)))
        }
        engine.finish()
        return try #require(box.alerts.first)
    }

    @Test func forgedSourceGivesOnlyUnverifiedEvidence() throws {
        let alert = try run(handshakeAt: nil)
        #expect(alert.evidence.allSatisfy { $0.type == .THREAT_INTELLIGENCE_FROM_BLACKLISTED_IP })
        #expect(!alert.verified && alert.evidence.allSatisfy { !$0.attackerVerified })
    }

    @Test func aRealHandshakeVerifiesItsOwnEvidence() throws {
        let alert = try run(handshakeAt: 3)
        #expect(alert.verified)
        #expect(alert.evidence.filter(\.attackerVerified).map(\.uids) == [[FlowUID(503)]])
    }
}
