// Only the public API: this file shows that a detector can be written outside the Detect module.
import NetCore
import Records
import Testing
import Detect

/// Telnet attempts per (profile, window), reported at growing counts: written with the public kit only.
final class TelnetAttemptsDetector: Detector {
    static let name = "telnet_attempts"
    static let description = "Counts telnet connections per profile and window"
    static let authors = ["tests"]
    static let enabledByDefault = false

    struct Settings: DetectorSettings {
        var minimum = 3
        var levels = [10]
        init() {}
        enum CodingKeys: String, CodingKey { case minimum, levels }
        init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            minimum = try section.value(.minimum, default: minimum, in: 1...1000)
            levels = try section.value(.levels, default: levels, eachIn: 1...1000)
        }
    }

    struct Window: BudgetedWindowState {
        var flows = 0
        var nextLevel = 0
        var budgetUnits = 0
        init() {}
    }

    private let context: DetectorContext
    private let levels: ReportLevels
    private var windows = WindowedDetectorState<Window>(budgetUnits: 1024)
    private var sightings = FlowFirstSighting(capacity: 1024)

    init(context: DetectorContext) throws {
        self.context = context
        let settings = context.detectorSettings(Settings.self)
        levels = ReportLevels(minimum: settings.minimum, further: settings.levels)
        context.subscribe(.newFlow)
        windows.subscribe(context)
    }

    func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return windows.handle(message) }
        guard flowMessage.responderPort == 23, sightings.isFirst(flowMessage.flow) else { return }
        let levels = self.levels
        let reached: Int?? = windows.withState(of: flowMessage) { state in
            state.flows += 1
            return levels.reached(state.flows, next: &state.nextLevel) ? state.flows : nil
        }
        guard let count = reached ?? nil else { return }
        context.setEvidence(Evidence(
            type: .TEMPLATE_EVIDENCE, description: "\(count) telnet connections",
            attacker: Attacker(direction: .SRC, value: "\(flowMessage.originator)"),
            threatLevel: .low, confidence: 1, profile: flowMessage.profile, timeWindow: flowMessage.timeWindow,
            uids: [flowMessage.uid], timestamp: flowMessage.startTime))
    }

    func tick(now: PacketTime) throws { windows.tick(now: now) }
}

@Suite("A detector outside the module")
struct ExternalDetectorTests {
    func telnet(_ index: Int, at seconds: Double) -> ConnRecord {
        let time = PacketTime(microseconds: 1_700_000_000_000_000 + Int64(seconds * 1_000_000))
        return ConnRecord(startTime: time, lastTime: time, uid: FlowUID(UInt64(index + 1)),
                          originator: IPAddress("10.0.0.9")!, originatorPort: UInt16(40_000 + index),
                          responder: IPAddress("10.0.1.1")!, responderPort: 23, proto: .tcp, ipProtocol: 6,
                          originatorBytes: 0, responderBytes: 0, connState: .S0, history: "S",
                          originatorPackets: 1, originatorIPBytes: 40, responderPackets: 0, responderIPBytes: 0)
    }

    @Test func runsInTheEngineWithItsOwnSettings() throws {
        var settings = DetectionSettings()
        settings.enabledModules = [TelnetAttemptsDetector.name]
        settings.setSettings(try SettingsDecoder.decode(
            TelnetAttemptsDetector.Settings.self, from: .section(["minimum": .plain("2"), "levels": .sequence([.plain("4")], nil)]),
            path: TelnetAttemptsDetector.name), for: TelnetAttemptsDetector.self)
        let engine = DetectionEngine(settings: settings, detectorTypes: [TelnetAttemptsDetector.self])
        for index in 0..<5 { engine.consume(.record(.conn(telnet(index, at: Double(index))))) }
        engine.finish()
        #expect(engine.runningDetectors == [TelnetAttemptsDetector.name])
        #expect(engine.evidenceHandler.evidenceCount == 2)                  // at 2 and at 4 connections
    }
}
