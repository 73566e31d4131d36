import NetCore
import Records
import Testing
@testable import Detect

/// DNS evidence through the engine: a dns record proves no handshake, so evidence from DNS over UDP (which anyone
/// can forge with the victim's address) is never verified, while the same queries over a TCP connection whose
/// handshake the flow table proved are.
@Suite("DNS detections through the engine: verified only by a proven flow")
struct DNSDetectionsEngineTests {
    typealias Kit = DetectorsTestKit
    let client = Kit.ip("10.0.0.5")
    let resolver = Kit.ip("192.168.1.1")

    final class Box { var alerts: [Alert] = [] }

    /// Runs 300 distinct NXDOMAIN answers of flow `uid` (its conn record first) through an engine with only the
    /// DGA detector; returns the alerts.
    func run(conn: ConnRecord) -> [Alert] {
        let engine = DetectionEngine(settings: DetectionSettings(), detectorTypes: [DGANXDomainsDetector.self])
        let box = Box()
        engine.onAlert = { box.alerts.append($0) }
        engine.consume(.record(.conn(conn)))
        for index in 0..<300 {
            let record = DNSRecord(time: Kit.at(1 + Double(index) * 0.01), uid: conn.uid, originator: client,
                                   originatorPort: conn.originatorPort, responder: resolver, responderPort: 53,
                                   proto: conn.proto, transID: UInt16(index), query: "n\(index)x.example",
                                   qtypeName: "A", rcode: 3, rcodeName: "NXDOMAIN")
            engine.consume(.record(.dns(record)))
        }
        engine.finish()
        return box.alerts
    }

    @Test func nxdomainsOverForgeableUDPAlertButAreNotVerified() throws {
        let udp = Kit.flow(uid: 7, src: client, dst: resolver, dport: 53, proto: .udp, state: .SF,
                           origPackets: 300, respPackets: 300)
        let alert = try #require(run(conn: udp).first)
        #expect(alert.evidence.allSatisfy { $0.type == .DGA_NXDOMAINS && !$0.attackerVerified })
        #expect(!alert.verified)
    }

    @Test func nxdomainsOverAProvenTCPConnectionAreVerified() throws {
        let tcp = Kit.flow(uid: 8, src: client, dst: resolver, dport: 53, proto: .tcp, state: .SF,
                           origPackets: 300, respPackets: 300, handshake: true)
        let alert = try #require(run(conn: tcp).first)
        #expect(alert.evidence.allSatisfy { $0.type == .DGA_NXDOMAINS && $0.attackerVerified })
        #expect(alert.verified)
    }
}
