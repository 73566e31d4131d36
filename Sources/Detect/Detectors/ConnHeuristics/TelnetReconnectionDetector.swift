import NetCore
import Records

/// Slips' `check_multiple_telnet_reconnection_attempts` (`flow_alerts/conn.py`): TCP flows to a telnet port (23,
/// 2323) that were not established, counted per (source, destination) in each (profile, time window). When the
/// count reaches `telnet_reconnection.threshold` (Slips: 4) the evidence `MULTIPLE_RECONNECTION_ATTEMPTS` is set,
/// threat medium, confidence 0.5, and the count starts again from zero (so 4, then 4 more, …).
///
/// Each flow counts once (an unanswered SYN is published as an interim record, then as the final one). Attacker:
/// the source (SRC); victim: the destination (DST); uids: the flows counted since the previous evidence. These
/// flows never completed a handshake, so the evidence is never `attackerVerified`: a forged address gets no full
/// block from it.
///
/// Description, as Slips (two spaces before `reconnections`):
/// `Multiple Telnet reconnection attempts from IP: 10.0.0.5 to Destination IP: 10.0.0.9  reconnections: 4`.
public final class TelnetReconnectionDetector: Detector {
    /// The name used in config and logs.
    public static let name = "telnet_reconnection"
    /// What it detects, in one line.
    public static let description = "Repeated failed telnet connections (Slips' telnet MULTIPLE_RECONNECTION_ATTEMPTS)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `telnet_reconnection:` section.
    public struct Settings: DetectorSettings {
        /// `threshold`: not-established telnet flows from one source to one destination per evidence.
        public var threshold = 4
        /// `ports`: the telnet ports (TCP).
        public var ports: [UInt16] = [23, 2323]

        /// The defaults (Slips').
        public init() {}

        enum CodingKeys: String, CodingKey { case threshold, ports }

        /// Reads the section over the defaults; `threshold` 1…10000, ports 1…65535.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            threshold = try section.value(.threshold, default: threshold, in: 1...10_000)
            ports = try section.value(.ports, default: ports, eachIn: 1...65_535)
        }
    }

    /// Confidence of the evidence.
    static let confidence = 0.5
    /// Most destinations counted per (profile, window).
    static let destinationsPerWindow = 4_096

    struct Window: BudgetedWindowState {
        var attempts: [IPAddress: [FlowUID]] = [:]
        var budgetUnits = 0
        init() {}
    }

    private let context: DetectorContext
    private let settings: Settings
    private var sightings: SharedFlowSighting
    private(set) var windows = WindowedDetectorState<Window>(budgetUnits: 262_144, owner: TelnetReconnectionDetector.name)

    /// Subscribes to `new_flow` and `tw_closed`.
    public init(context: DetectorContext) throws {
        self.context = context
        sightings = context.flowSighting()
        settings = context.detectorSettings(Settings.self)
        context.subscribe(.newFlow)
        windows.subscribe(context)
    }

    /// Counts a not-established telnet flow; sets evidence when its destination's count reaches the threshold.
    public func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return windows.handle(message) }
        let flow = flowMessage.flow
        guard flow.proto == .tcp, !flow.connState.isEstablished, !flow.flipped, settings.ports.contains(flow.responderPort),
              sightings.isFirst(flow) else { return }
        let threshold = settings.threshold
        let budget = windows.budget
        let reached: [FlowUID]?? = windows.withState(of: flowMessage) { state in
            if state.attempts[flow.responder] == nil {
                guard state.reserve(cap: Self.destinationsPerWindow, budget: budget) else { return nil }
                state.attempts[flow.responder] = []
            }
            state.attempts[flow.responder]!.append(flow.uid)
            guard let uids = state.attempts[flow.responder], uids.count >= threshold else { return nil }
            state.attempts[flow.responder] = []
            return uids
        }
        guard let found = reached, let uids = found else { return }
        let text = "Multiple Telnet reconnection attempts from IP: \(flow.originator) to Destination IP: "
            + "\(flow.responder)  reconnections: \(uids.count)"
        context.setEvidence(Evidence(
            type: .MULTIPLE_RECONNECTION_ATTEMPTS, description: text,
            attacker: Attacker(direction: .SRC, value: flow.originator.description),
            victim: Victim(direction: .DST, value: flow.responder.description),
            threatLevel: .medium, confidence: Self.confidence, profile: flowMessage.profile,
            timeWindow: flowMessage.timeWindow, uids: uids, timestamp: flow.startTime))
    }

    /// Sweeps windows that ended long ago.
    public func tick(now: PacketTime) throws { windows.tick(now: now) }
}
