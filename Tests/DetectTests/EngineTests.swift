import Testing
import Foundation
@testable import Detect
import NetCore
import Records

/// A flow record for engine tests.
func engineFlow(_ src: String, _ sport: UInt16, _ dst: String, _ dport: UInt16, at seconds: Double,
                state: ConnState = .SF, uid: UInt64? = nil) -> ConnRecord {
    let t = PacketTime(microseconds: Int64(seconds * 1_000_000))
    return ConnRecord(startTime: t, lastTime: t, uid: FlowUID(uid ?? UInt64(sport) << 16 | UInt64(dport)),
                      originator: IPAddress(src)!, originatorPort: sport, responder: IPAddress(dst)!,
                      responderPort: dport, proto: .tcp, ipProtocol: 6, originatorBytes: 10, responderBytes: 10,
                      connState: state, history: "ShADadFf", originatorPackets: 5, originatorIPBytes: 300,
                      responderPackets: 5, responderIPBytes: 300)
}

/// A detector that sets the evidence the test asks for on each flow.
final class ScriptedDetector: Detector {
    static let name = "scripted"
    static let description = "test"
    static let authors = ["tests"]
    nonisolated(unsafe) static var script: (FlowMessage) -> [Evidence] = { _ in [] }
    let context: DetectorContext
    init(context: DetectorContext) throws { self.context = context; context.subscribe(.newFlow) }
    func main(_ message: ChannelMessage) throws {
        if let m = message.flow { for e in Self.script(m) { context.setEvidence(e) } }
    }
}

/// A detector that throws on its second message.
final class FailingDetector: Detector {
    static let name = "failing"
    static let description = "test"
    static let authors = ["tests"]
    var count = 0
    init(context: DetectorContext) throws { context.subscribe(.newFlow) }
    func main(_ message: ChannelMessage) throws {
        count += 1
        if count == 2 { throw TestFailure("testing failing detector: boom") }
    }
}

@Suite("Detection engine", .serialized)
struct EngineTests {
    func evidence(_ m: FlowMessage, _ level: ThreatLevel, _ confidence: Double, direction: Direction = .SRC,
                  type: EvidenceType = .TEMPLATE_EVIDENCE) -> Evidence {
        Evidence(type: type, description: "test", attacker: Attacker(direction: direction, value: m.flow.originator.description),
                 threatLevel: level, confidence: confidence, profile: m.profile, timeWindow: m.timeWindow,
                 uids: [m.flow.uid], timestamp: m.flow.startTime)
    }

    func run(_ flows: [ConnRecord], settings: DetectionSettings = DetectionSettings(),
             whitelist: Whitelist = Whitelist(), types: [any Detector.Type] = [ScriptedDetector.self]) -> (DetectionEngine, [Alert]) {
        var settings = settings
        settings.enabledModules.insert("scripted")
        let engine = DetectionEngine(settings: settings, detectorTypes: types, whitelist: whitelist)
        var alerts: [Alert] = []
        engine.onAlert = { alerts.append($0) }
        for f in flows { engine.consume(.record(.conn(f))) }
        engine.finish()
        return (engine, alerts)
    }

    @Test func alertExactlyAtThresholdNotBelow() {
        // default: 0.25 × 3600 / 60 = 15; high (0.8) × 1.0 per evidence → 19 evidences = 15.2, 18 = 14.4
        ScriptedDetector.script = { [self] m in [evidence(m, .high, 1.0)] }
        let below = (0..<18).map { engineFlow("10.0.0.1", UInt16(1000 + $0), "8.8.8.8", 80, at: Double($0)) }
        #expect(run(below).1.isEmpty)
        let at = (0..<19).map { engineFlow("10.0.0.1", UInt16(1000 + $0), "8.8.8.8", 80, at: Double($0)) }
        let alerts = run(at).1
        #expect(alerts.count == 1)
        #expect(alerts.first?.evidence.count == 19)
        #expect(alerts.first?.profile.ip == IPAddress("10.0.0.1"))
    }

    @Test func exactSumEqualToThresholdAlerts() {
        // critical (1.0) × 0.5 = 0.5 per evidence; 30 of them = 15 exactly.
        ScriptedDetector.script = { [self] m in [evidence(m, .critical, 0.5)] }
        #expect(run((0..<29).map { engineFlow("10.0.0.2", UInt16($0), "1.1.1.1", 80, at: Double($0)) }).1.isEmpty)
        #expect(run((0..<30).map { engineFlow("10.0.0.2", UInt16($0), "1.1.1.1", 80, at: Double($0)) }).1.count == 1)
    }

    @Test func sumResetsAfterAlertAndCanAlertAgain() {
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60               // threshold 0.25
        ScriptedDetector.script = { [self] m in [evidence(m, .medium, 1.0)] }   // 0.5 each: alert per evidence
        let (_, alerts) = run((0..<3).map { engineFlow("10.0.0.3", UInt16($0), "1.1.1.1", 80, at: Double($0)) }, settings: settings)
        #expect(alerts.count == 3)
        #expect(alerts.allSatisfy { $0.evidence.count == 1 })
    }

    @Test func infoAndDestinationEvidenceDoNotCount() {
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60
        ScriptedDetector.script = { [self] m in [evidence(m, .info, 1.0), evidence(m, .critical, 1.0, direction: .DST)] }
        let (engine, alerts) = run((0..<10).map { engineFlow("10.0.0.4", UInt16($0), "1.1.1.1", 80, at: Double($0)) }, settings: settings)
        #expect(alerts.isEmpty)
        #expect(engine.evidenceHandler.evidenceCount == 20)
    }

    @Test func disabledDetectionsAndWhitelistDropEvidence() {
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60
        settings.disabledDetections = [.TEMPLATE_EVIDENCE]
        ScriptedDetector.script = { [self] m in [evidence(m, .critical, 1.0)] }
        let (engine, alerts) = run([engineFlow("10.0.0.5", 1, "1.1.1.1", 80, at: 0)], settings: settings)
        #expect(alerts.isEmpty)
        #expect(engine.evidenceHandler.droppedDisabled == 1)
        let whitelist = Whitelist(networks: ["10.0.0.0/24"])
        var open = DetectionSettings()
        open.timeWindowWidth = 60
        let (engine2, alerts2) = run([engineFlow("10.0.0.5", 1, "1.1.1.1", 80, at: 0)], settings: open, whitelist: whitelist)
        #expect(alerts2.isEmpty)
        #expect(engine2.evidenceHandler.droppedWhitelisted == 1)
    }

    @Test func evidenceInDifferentWindowsDoesNotAdd() {
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60                // threshold 0.25
        ScriptedDetector.script = { [self] m in [evidence(m, .low, 1.0)] }     // 0.2 each
        let (_, split) = run([engineFlow("10.0.0.6", 1, "1.1.1.1", 80, at: 0),
                              engineFlow("10.0.0.6", 2, "1.1.1.1", 80, at: 60)], settings: settings)
        #expect(split.isEmpty)
        let (_, same) = run([engineFlow("10.0.0.6", 1, "1.1.1.1", 80, at: 0),
                             engineFlow("10.0.0.6", 2, "1.1.1.1", 80, at: 59.9)], settings: settings)
        #expect(same.count == 1)
    }

    @Test func timeWindowFormulaAndBoundary() {
        var clock = TimeWindowClock(widthSeconds: 3600, onlyOneWindow: false)
        let t0 = PacketTime(microseconds: 1_000_000_000_000)
        #expect(clock.window(for: t0).number == 1)
        #expect(clock.window(for: t0 + .seconds(3599)).number == 1)
        #expect(clock.window(for: t0 + .seconds(3600)).number == 2)          // on the boundary: next window
        #expect(clock.window(for: t0 + .seconds(7300)).number == 3)
        var one = TimeWindowClock(widthSeconds: 3600, onlyOneWindow: true)
        #expect(one.window(for: t0).number == 1)
        #expect(one.window(for: t0 + .seconds(100_000)).number == 1)
    }

    @Test func throwingDetectorIsStoppedOthersGoOn() throws {
        let dir = NSTemporaryDirectory() + "slipsd-engine-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60
        settings.enabledModules = ["scripted", "failing"]
        ScriptedDetector.script = { [self] m in [evidence(m, .medium, 1.0)] }
        let engine = DetectionEngine(settings: settings, detectorTypes: [FailingDetector.self, ScriptedDetector.self],
                                     output: try AlertOutput(directory: dir))
        var alerts = 0
        engine.onAlert = { _ in alerts += 1 }
        for i in 0..<4 { engine.consume(.record(.conn(engineFlow("10.0.0.7", UInt16(i), "1.1.1.1", 80, at: Double(i))))) }
        engine.finish()
        #expect(alerts == 4)
        #expect(engine.runningDetectors == ["scripted"])
        let errors = try String(contentsOfFile: dir + "/errors.log", encoding: .utf8)
        #expect(errors.contains("detector failing stopped: main threw: testing failing detector: boom"))
    }

    @Test func localConnectionDetectorWritesAlertsLogAndJSON() throws {
        let dir = NSTemporaryDirectory() + "slipsd-local-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = DetectionSettings()
        settings.enabledModules = ["local_connection_detector"]
        let engine = DetectionEngine(settings: settings, detectorTypes: [LocalConnectionDetector.self],
                                     output: try AlertOutput(directory: dir))
        engine.consume(.record(.conn(engineFlow("192.168.4.2", 40000, "192.168.4.87", 445, at: 10))))
        engine.consume(.record(.conn(engineFlow("192.168.4.2", 40000, "192.168.4.87", 445, at: 10))))    // same uid again
        engine.consume(.record(.conn(engineFlow("192.168.4.2", 40001, "8.8.8.8", 53, at: 11))))          // not local
        engine.finish()
        let log = try String(contentsOfFile: dir + "/alerts/alerts.log", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 1)
        #expect(log.contains("(TW 1): Src IP 192.168.4.2               . Detected A connection to a local device 192.168.4.87 threat level: high."))
        let line = try String(contentsOfFile: dir + "/alerts/alerts.json", encoding: .utf8).split(separator: "\n")[0]
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["Status"] as? String == "Event")
        #expect(json["Severity"] as? String == "High")
        #expect(json["Confidence"] as? Double == 0.8)
        let note = try #require(json["Note"] as? String)
        #expect(note.contains("CONNECTION_TO_LOCAL_DEVICE"))
        #expect((json["Source"] as? [[String: Any]])?.first?["IP"] as? String == "192.168.4.2")
        #expect((json["Target"] as? [[String: Any]])?.first?["IP"] as? String == "192.168.4.87")
    }

    @Test func alertsCarryTheirWindowForTheResponseStage() {
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60
        settings.enabledModules = ["scripted"]
        ScriptedDetector.script = { [self] m in [evidence(m, .critical, 1.0)] }
        let engine = DetectionEngine(settings: settings, detectorTypes: [ScriptedDetector.self])
        var alerts: [Alert] = []
        engine.onAlert = { alerts.append($0) }
        engine.consume(.record(.conn(engineFlow("10.0.0.8", 1, "1.1.1.1", 80, at: 0))))
        engine.consume(.record(.conn(engineFlow("10.0.0.8", 2, "1.1.1.1", 80, at: 20))))
        engine.finish()
        #expect(alerts.count == 2)
        #expect(alerts.first?.profile.ip == IPAddress("10.0.0.8"))
        #expect(alerts.first?.timeWindow.end.microseconds == alerts.first.map { $0.timeWindow.start.microseconds + 60_000_000 })
        #expect(alerts.first?.evidenceTypes == "TEMPLATE_EVIDENCE")
    }

    @Test func whitelistFileFormat() throws {
        let text = "; comment\nip,192.168.1.1,both,alerts\ncidr,10.0.0.0/8,src,alerts\nmac,aa:bb:cc:dd:ee:ff,both,alerts\n"
        let list = try Whitelist(parsing: text, file: "w.conf")
        #expect(list.contains(IPAddress("192.168.1.1")!))
        #expect(list.contains(IPAddress("10.200.0.1")!))
        #expect(!list.contains(IPAddress("11.0.0.1")!))
        #expect(list.contains(value: "aa:bb:cc:dd:ee:ff"))
        #expect(throws: Whitelist.ParseError.self) { try Whitelist(parsing: "ip,999.1.1.1,both,alerts", file: "w.conf") }
        do { _ = try Whitelist(parsing: "\nbogus,1,2,3", file: "w.conf") } catch { #expect(error.description == "w.conf:2: unknown type 'bogus' (ip, cidr, domain, organization, mac)") }
    }
}

/// An error thrown by test detectors.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A detector that records what the engine publishes on `tw_closed`, `new_ip` and `evidence_added`.
final class RecordingDetector: Detector {
    static let name = "recording"
    static let description = "test"
    static let authors = ["tests"]
    nonisolated(unsafe) static var closed: [(ProfileID, TimeWindow)] = []
    nonisolated(unsafe) static var newIPs: [IPAddress] = []
    nonisolated(unsafe) static var evidence: [Evidence] = []
    static func reset() { closed = []; newIPs = []; evidence = [] }
    init(context: DetectorContext) throws {
        context.subscribe(.twClosed)
        context.subscribe(.newIP)
        context.subscribe(.evidenceAdded)
    }
    func main(_ message: ChannelMessage) throws {
        switch message {
        case .twClosed(let profile, let window): Self.closed.append((profile, window))
        case .newIP(let ip, _): Self.newIPs.append(ip)
        case .evidenceAdded(let evidence): Self.evidence.append(evidence)
        default: break
        }
    }
}

/// Bounds and the single time window: the engine's state under a spoofed-source flood, and `only_one_tw`.
@Suite("Detection engine: correctness", .serialized)
struct EngineCorrectnessTests {
    typealias Kit = DetectorsTestKit

    @Test func activeProfilesAreCappedAndTheKeptOnesStillClose() {
        RecordingDetector.reset()
        var settings = DetectionSettings()
        settings.enabledModules.insert(RecordingDetector.name)
        let engine = DetectionEngine(settings: settings, detectorTypes: [RecordingDetector.self], profileLimit: 4)
        let sources = (0..<10).map { "10.9.0.\($0 + 1)" }
        // Ten spoofed sources in window 1, then the first again (kept) and time moves into window 2.
        for (index, source) in sources.enumerated() {
            engine.consume(.record(.conn(engineFlow(source, 1_000, "192.0.2.1", 80, at: 10 + Double(index)))))
        }
        engine.consume(.record(.conn(engineFlow(sources[0], 1_001, "192.0.2.1", 80, at: 30))))
        engine.consume(.tick(PacketTime(microseconds: Int64(3_700 * 1_000_000))))
        engine.finish()
        #expect(engine.untrackedProfileRecords == 6)
        let closed = RecordingDetector.closed
        #expect(Set(closed.map(\.0.ip)) == Set(sources.prefix(4).compactMap(IPAddress.init)))
        #expect(closed.count == 4)
        for (_, window) in closed {
            #expect(window.number == 1)
            #expect(window.start == PacketTime(microseconds: 10_000_000))
            #expect(window.end == PacketTime(microseconds: 3_610_000_000))
        }
        // The first-sighting set starts over when full: every host is still announced.
        #expect(Set(RecordingDetector.newIPs) == Set((sources + ["192.0.2.1"]).compactMap(IPAddress.init)))
        #expect(engine.firstSightingResets >= 1)
    }

    @Test func profilesUnderTheLimitAreAllTracked() {
        RecordingDetector.reset()
        var settings = DetectionSettings()
        settings.enabledModules.insert(RecordingDetector.name)
        let engine = DetectionEngine(settings: settings, detectorTypes: [RecordingDetector.self], profileLimit: 4)
        for window in 0..<3 {
            for index in 0..<4 {
                let at = 10 + Double(window) * 3_600 + Double(index)
                engine.consume(.record(.conn(engineFlow("10.9.\(window).\(index + 1)", 1_000, "192.0.2.1", 80, at: at))))
            }
        }
        engine.consume(.tick(PacketTime(microseconds: Int64(4 * 3_600 * 1_000_000))))
        engine.finish()
        #expect(engine.untrackedProfileRecords == 0)
        #expect(RecordingDetector.closed.count == 12)
        #expect(RecordingDetector.closed.map(\.1.number).sorted() == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
    }

    /// One horizontal scan target every 6 s of packet time for 2 h (1200 targets): with `only_one_tw` the scan is
    /// one window's state, reported once at each level (10, 100, 1000), never swept and counted again.
    @Test func onlyOneTimeWindowKeepsDetectorStateForTheWholeRun() {
        RecordingDetector.reset()
        var settings = DetectionSettings()
        settings.onlyOneTimeWindow = true
        settings.enabledModules.insert(RecordingDetector.name)
        let engine = DetectionEngine(settings: settings, detectorTypes: [PortScanDetector.self, RecordingDetector.self])
        let scanner = Kit.ip("10.0.0.66")
        for index in 0..<1_200 {
            let flow = Kit.flow(uid: UInt64(index + 1), src: scanner, sport: UInt16(20_000 + index),
                                dst: Kit.ip("10.1.0.0", plus: index + 1), dport: 80, state: .S0,
                                start: Double(index) * 6)
            engine.consume(.record(.conn(flow)))
        }
        engine.consume(.tick(Kit.at(2 * 3_600 + 600)))
        engine.finish()
        let scans = RecordingDetector.evidence.filter { $0.type == .HORIZONTAL_PORT_SCAN }
        #expect(scans.count == 3, "\(scans.map(\.description))")
        #expect(scans.allSatisfy { $0.timeWindow.number == 1 && $0.timeWindow.end == TimeWindowClock.endOfTime })
        #expect(RecordingDetector.closed.isEmpty)
    }

    /// Packet time jumping over several windows closes the last active one with its own bounds.
    @Test func aWindowClosedByAJumpKeepsItsBounds() {
        RecordingDetector.reset()
        var settings = DetectionSettings()
        settings.enabledModules.insert(RecordingDetector.name)
        let engine = DetectionEngine(settings: settings, detectorTypes: [RecordingDetector.self])
        engine.consume(.record(.conn(engineFlow("10.9.0.1", 1_000, "192.0.2.1", 80, at: 10))))
        engine.consume(.record(.conn(engineFlow("10.9.0.2", 1_000, "192.0.2.1", 80, at: 10 + 3_600 * 4 + 5))))
        engine.finish()
        let closed = RecordingDetector.closed
        #expect(closed.count == 1)
        #expect(closed.first?.0.ip == IPAddress("10.9.0.1"))
        #expect(closed.first?.1 == TimeWindow(number: 1, start: PacketTime(microseconds: 10_000_000),
                                              end: PacketTime(microseconds: 3_610_000_000)))
    }

    @Test func timeWindowClockSaturates() {
        var clock = TimeWindowClock(widthSeconds: 3_600, onlyOneWindow: false)
        let late = clock.window(for: PacketTime(microseconds: .max - 5))
        #expect(late.number == 1)
        #expect(late.end == PacketTime(microseconds: .max))
        let early = clock.window(for: PacketTime(microseconds: .min))
        #expect(early.number == 1)
        var single = TimeWindowClock(widthSeconds: 60, onlyOneWindow: true)
        #expect(single.window(for: PacketTime(microseconds: -1)).end == TimeWindowClock.endOfTime)
        #expect(single.window(for: PacketTime(microseconds: .max)).number == 1)
        #expect(clock.window(number: .max).end == PacketTime(microseconds: .max))
        #expect(clock.window(number: 2).start == PacketTime(microseconds: .max))
    }
}
