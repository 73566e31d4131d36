import NetCore
import Records
@testable import Detect
import Testing

/// A TCP-connect scanner proves its address by completing handshakes on the ports it finds open: its scan
/// evidence is then verified and its alert (the block) full, whichever comes first — the completed probes or the
/// refused ones. An address that completed fewer than six handshakes (`requiredCompletedProbes`) stays unverified, so one
/// ordinary connection of an innocent host cannot verify a scan forged in its name.
@Suite("PortScanDetector: completed probes verify a scan")
struct PortScanProofTests {
    typealias Kit = DetectorsTestKit
    let scanner = Kit.ip("10.0.0.1")
    let target = Kit.ip("10.0.0.80")

    final class Alerts { var list: [Alert] = [] }

    /// An engine running only the port-scan detector, alerting at Σ ≥ 0.25 (one 60 s window).
    func engine() -> (DetectionEngine, Alerts) {
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60
        let engine = DetectionEngine(settings: settings, detectorTypes: [PortScanDetector.self])
        let alerts = Alerts()
        engine.onAlert = { alerts.list.append($0) }
        return (engine, alerts)
    }

    /// Refused connection attempts (REJ) to `count` ports from `firstPort`.
    func refused(_ count: Int, firstPort: UInt16 = 1000, uid: UInt64 = 1, start: Double = 1) -> [ConnRecord] {
        (0..<count).map { i in
            Kit.flow(uid: uid + UInt64(i), src: scanner, dst: target, dport: firstPort + UInt16(i), state: .REJ,
                     start: start + Double(i) * 0.01, respPackets: 1)
        }
    }

    /// Handshakes completed with no data sent (`origBytes` 0 unless given) to `count` ports from `firstPort`.
    func completed(_ count: Int, firstPort: UInt16 = 2000, uid: UInt64 = 100, start: Double = 1,
                   origBytes: UInt64 = 0) -> [ConnRecord] {
        (0..<count).map { i in
            Kit.flow(uid: uid + UInt64(i), src: scanner, dst: target, dport: firstPort + UInt16(i), state: .SF,
                     start: start + Double(i) * 0.01, origPackets: 3, respPackets: 2, origBytes: origBytes)
        }
    }

    func run(_ flows: [ConnRecord]) -> [Alert] {
        let (engine, alerts) = engine()
        for flow in flows { engine.consume(.record(.conn(flow))) }
        engine.finish()
        return alerts.list
    }

    @Test("completed probes first: the scan's one alert is verified")
    func probesBeforeScan() throws {
        let alerts = run(completed(6) + refused(10, start: 2))
        #expect(alerts.count == 1)
        let alert = try #require(alerts.first)
        #expect(alert.verified)
        let scan = try #require(alert.evidence.first { $0.type == .VERTICAL_PORT_SCAN })
        #expect(Set(scan.uids).isSuperset(of: (100..<106).map { FlowUID($0) }))
    }

    @Test("completed probes after an unverified alert: a second, verified alert at once")
    func probesAfterScan() throws {
        let alerts = run(refused(10) + completed(6, start: 2))
        #expect(alerts.map(\.verified) == [false, true])
        #expect(alerts.last?.evidence.map(\.type) == [.VERTICAL_PORT_SCAN])
    }

    @Test("fewer than six completed probes, or probes that carried data, verify nothing")
    func notEnoughProof() throws {
        #expect(run(completed(5) + refused(10, start: 2)).map(\.verified) == [false])
        #expect(run(completed(6, origBytes: 100) + refused(10, start: 2)).map(\.verified) == [false])
    }

    @Test("an innocent host's one empty connection does not verify a scan forged in its name")
    func oneInnocentConnection() throws {
        #expect(run(completed(1) + refused(40, start: 2)).allSatisfy { !$0.verified })
    }
}
