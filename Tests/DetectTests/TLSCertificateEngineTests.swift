import NetCore
import Records
import Testing
@testable import Detect

/// TLS certificate evidence through the engine: it carries the session's uid, so it is verified only when that
/// flow's handshake was proven; ARP evidence (no uid) never is.
@Suite("TLS and ARP evidence through the engine: verified only by a proven flow")
struct TLSCertificateEngineTests {
    typealias Kit = DetectorsTestKit
    let client = Kit.ip("10.0.0.5")
    final class Box { var alerts: [Alert] = [] }

    /// 160 self-signed sessions of one client (0.1 each: above the threshold of 15), each after its conn record.
    func run(handshake: Bool) -> [Alert] {
        let engine = DetectionEngine(settings: DetectionSettings(), detectorTypes: [TLSCertificateDetector.self])
        let box = Box()
        engine.onAlert = { box.alerts.append($0) }
        for index in 0..<160 {
            let server = Kit.ip("93.184.0.0", plus: index)
            let conn = Kit.flow(uid: UInt64(index + 1), src: client, dst: server, dport: 443, state: .SF,
                                start: Double(index), origPackets: 10, respPackets: 10, handshake: handshake)
            engine.consume(.record(.conn(conn)))
            var ssl = SSLRecord(time: Kit.at(Double(index) + 0.1), uid: conn.uid,
                                id: ConnectionID(originator: client, originatorPort: 40_000, responder: server, responderPort: 443))
            ssl.validationStatus = "self signed certificate"
            engine.consume(.record(.ssl(ssl)))
        }
        engine.finish()
        return box.alerts.filter { $0.profile.ip == client }
    }

    @Test func provenSessionsMakeAVerifiedAlert() throws {
        let alert = try #require(run(handshake: true).first)
        #expect(alert.evidence.allSatisfy { $0.type == .SELF_SIGNED_CERTIFICATE && $0.attackerVerified })
        #expect(alert.verified)
    }

    @Test func unprovenSessionsAlertUnverified() throws {
        let alert = try #require(run(handshake: false).first)
        #expect(alert.evidence.allSatisfy { !$0.attackerVerified })
        #expect(!alert.verified)
    }

    @Test func arpEvidenceIsNeverVerifiedAndOneSenderCountsOncePerWindow() throws {
        // 130 requests from one sender to distinct targets outside the local network, as a forger repeating an
        // innocent sender would send them: one unverified evidence without uids, and no alert.
        let engine = DetectionEngine(settings: DetectionSettings(), detectorTypes: [ARPAttacksDetector.self])
        let box = Box()
        engine.onAlert = { box.alerts.append($0) }
        let (detector, collected) = try Kit.make(ARPAttacksDetector.self)
        for index in 0..<130 {
            let record = ARPRecord(time: Kit.at(Double(index)), operation: 1, senderMAC: MACAddress(0x0200_0000_0001),
                                   senderIP: client, targetMAC: .zero, targetIP: Kit.ip("93.184.0.0", plus: index),
                                   destinationMAC: .broadcast)
            engine.consume(.record(.arp(record)))
            try detector.main(Kit.record(record))
        }
        engine.finish()
        #expect(box.alerts.isEmpty)
        let found = collected.of(.ARP_OUTSIDE_LOCALNET)
        #expect(found.count == 1)
        #expect(found.allSatisfy { !$0.attackerVerified && $0.uids.isEmpty })
    }
}
