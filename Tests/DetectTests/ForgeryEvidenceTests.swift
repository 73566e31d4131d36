import Foundation
import NetCore
import Records
@testable import Detect
import Testing

/// A detector that raises high evidence (attacker: the originator, uids: the flow's) on every flow that is not to
/// port 443, and claims `attackerVerified` itself (the engine must overwrite that).
final class ForgeryProbeDetector: Detector {
    static let name = "forgery_probe"
    static let description = "test"
    static let authors = ["tests"]
    let context: DetectorContext
    init(context: DetectorContext) throws { self.context = context; context.subscribe(.newFlow) }
    func main(_ message: ChannelMessage) throws {
        guard let m = message.flow, m.flow.responderPort != 443 else { return }
        context.setEvidence(Evidence(
            type: .TEMPLATE_EVIDENCE, description: "probe",
            attacker: Attacker(direction: .SRC, value: m.flow.originator.description),
            threatLevel: .high, confidence: 1, profile: m.profile, timeWindow: m.timeWindow, uids: [m.flow.uid],
            timestamp: m.flow.startTime, attackerVerified: true))
    }
}

/// Forged and reflected traffic must not produce evidence against the host whose address it carries, and
/// evidence says whether its attacker's address is verified.
@Suite("Forgery: verified evidence, reflected flows, uploads")
struct ForgeryEvidenceTests {
    typealias Kit = DetectorsTestKit
    static let mib: UInt64 = 1_048_576
    let victim = Kit.ip("10.0.0.9")
    let attacker = Kit.ip("203.0.113.66")

    func engine(_ output: AlertOutput? = nil) -> (DetectionEngine, Box) {
        var settings = DetectionSettings()
        settings.enabledModules.insert(ForgeryProbeDetector.name)
        let engine = DetectionEngine(settings: settings, detectorTypes: [ForgeryProbeDetector.self], output: output)
        let box = Box()
        engine.onAlert = { box.alerts.append($0) }
        return (engine, box)
    }

    final class Box { var alerts: [Alert] = [] }

    @Test("evidence from a flow with a proven handshake is verified, the detector's claim is not trusted")
    func verifiedOnlyByHandshakeFlow() throws {
        let (engine, box) = engine()
        // 19 × high = 15.2 ≥ 15: one alert.
        for i in 0..<19 {
            let flow = Kit.flow(uid: UInt64(100 + i), src: attacker, dst: victim, dport: UInt16(1_000 + i),
                                state: .SF, start: Double(i), origPackets: 5, respPackets: 5,
                                handshake: i == 7)
            engine.consume(.record(.conn(flow)))
        }
        engine.finish()
        let alert = try #require(box.alerts.first)
        #expect(alert.verified)
        #expect(alert.evidence.filter(\.attackerVerified).count == 1)
        #expect(alert.evidence.first { $0.uids == [FlowUID(107)] }?.attackerVerified == true)
    }

    @Test("a host's own real connections do not verify scans forged in its name")
    func realConnectionsDoNotVerifyForgedEvidence() throws {
        let (engine, box) = engine()
        // The victim's real HTTPS connection (no evidence) ...
        engine.consume(.record(.conn(Kit.flow(uid: 1, src: victim, dst: Kit.ip("198.51.100.1"), dport: 443,
                                              state: .SF, origPackets: 10, respPackets: 10, handshake: true))))
        // ... then flows forged with its address, never completing a handshake.
        for i in 0..<19 {
            engine.consume(.record(.conn(Kit.flow(uid: UInt64(10 + i), src: victim, dst: attacker,
                                                  dport: UInt16(2_000 + i), state: .S0, start: Double(i + 1)))))
        }
        engine.finish()
        let alert = try #require(box.alerts.first)
        #expect(!alert.verified)
        #expect(alert.evidence.allSatisfy { !$0.attackerVerified })
    }

    @Test("alerts.json carries attacker_verified and verified")
    func alertsJSONCarriesVerification() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forgery-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (engine, _) = engine(try AlertOutput(directory: dir))
        for i in 0..<19 {
            engine.consume(.record(.conn(Kit.flow(uid: UInt64(100 + i), src: attacker, dst: victim,
                                                  dport: UInt16(1_000 + i), state: .SF, start: Double(i),
                                                  handshake: true))))
        }
        engine.finish()
        let text = try String(contentsOfFile: dir + "/alerts/alerts.json", encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 20)
        #expect(lines.dropLast().allSatisfy { $0.contains(#"\"attacker_verified\":true"#) })
        #expect(lines.last?.contains(#"\"verified\":true"#) == true)
        let log = try String(contentsOfFile: dir + "/alerts/alerts.log", encoding: .utf8)
        #expect(!log.contains("verified"))
    }

    @Test("SSH banners seen on proven flows verify PASSWORD_GUESSING before the flows end; unproven ones do not",
          arguments: [true, false])
    func sshBannersOnProvenFlowsVerify(proven: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forgery-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = DetectionSettings()
        settings.enabledModules.insert(SSHPasswordGuessingDetector.name)
        let engine = DetectionEngine(settings: settings, detectorTypes: [SSHPasswordGuessingDetector.self],
                                     output: try AlertOutput(directory: dir))
        for i in 0..<9 {
            let banner = SSHRecord(time: Kit.at(10 + 2 * Double(i)), uid: FlowUID(UInt64(i + 1)), client: attacker,
                                   clientPort: 50_000, server: victim, serverPort: 2222,
                                   banner: "SSH-2.0-OpenSSH_9.2p1", fromServer: true, handshake: proven)
            engine.consume(.record(.ssh(banner)))
        }
        engine.finish()
        #expect(engine.evidenceHandler.evidenceCount == 1)
        let text = try String(contentsOfFile: dir + "/alerts/alerts.json", encoding: .utf8)
        #expect(text.contains("PASSWORD_GUESSING"))
        #expect(text.contains(#"\"attacker_verified\":\#(proven)"#))
    }

    // MARK: FlowAlerts on reflected and unproven flows

    @Test("UNKNOWN_PORT does not fire on flipped flows or on RSTO without a proven handshake")
    func unknownPortNeedsProvenHandshake() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for i in 0..<40 {
            // The reflected shape before the fix: the victim as originator, RSTO.
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 1), src: victim, sport: UInt16(2_000 + i),
                                               dst: attacker, dport: 44_444 - UInt16(i), state: .RSTO,
                                               respPackets: 1, handshake: false, flipped: true)))
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 100), src: victim, sport: UInt16(3_000 + i),
                                               dst: attacker, dport: 33_000 + UInt16(i), state: .RSTO,
                                               respPackets: 1, handshake: false)))
        }
        #expect(out.of(.UNKNOWN_PORT).isEmpty)
        detector.main(Kit.message(Kit.flow(uid: 999, src: victim, dst: attacker, dport: 33_333, state: .SF,
                                           respPackets: 3, handshake: true)))
        #expect(out.of(.UNKNOWN_PORT).count == 1)
    }

    @Test("MULTIPLE_RECONNECTION_ATTEMPTS does not count flipped REJ flows")
    func reconnectionIgnoresFlippedRejections() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for i in 0..<20 {
            var flow = Kit.flow(uid: UInt64(i + 1), src: victim, sport: UInt16(2_000 + i), dst: attacker,
                                dport: 80, state: .REJ, respPackets: 1, flipped: true)
            flow.history = "^hRr"
            detector.main(Kit.message(flow))
        }
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).isEmpty)
    }

    @Test("DATA_UPLOAD counts IP bytes seen, not sequence progress, and only on proven TCP handshakes")
    func uploadCountsIPBytesOnProvenFlows() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        let outside = Kit.ip("198.51.100.7")
        // 60 segments whose sequence numbers jumped ~2 GiB each: huge "bytes", a few KB on the wire.
        var jumped = Kit.flow(uid: 1, src: victim, dst: outside, dport: 443, state: .OTH, origPackets: 60,
                              origBytes: 60 * 0x7FFF_FF00, handshake: false)
        jumped.originatorIPBytes = 60 * 41
        detector.main(Kit.message(jumped))
        // Even with a proven handshake, sequence progress alone is not bytes.
        var proven = jumped
        proven.uid = FlowUID(2)
        proven.handshake = true
        proven.connState = .SF
        detector.main(Kit.message(proven))
        // Real bytes without a proven handshake (a blind forgery of the victim's address): not counted.
        var unproven = Kit.flow(uid: 3, src: victim, dst: Kit.ip("198.51.100.8"), dport: 443, state: .SF,
                                origPackets: 80_000, origBytes: 600 * Self.mib, handshake: false)
        unproven.originatorIPBytes = 600 * Self.mib
        detector.main(Kit.message(unproven))
        #expect(out.of(.DATA_UPLOAD).isEmpty)
        // Real bytes on a proven flow: evidence.
        var real = unproven
        real.uid = FlowUID(4)
        real.handshake = true
        detector.main(Kit.message(real))
        #expect(out.of(.DATA_UPLOAD).count == 4)    // Slips' pair for the flow, and one for the window sum
    }
}
