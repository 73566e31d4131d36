import NetCore
import Records

/// Slips' `detect_connection_to_multiple_ports` (`flow_alerts/conn.py`): established TCP flows from a profile to
/// one destination on ports whose service is unknown (no Zeek `service`, and the port is not in the known service
/// ports Slips' `services.csv` covers, `KnownServicePorts.builtIn`), per (profile, time window). When a second
/// distinct unknown port appears, and again each time a destination's set is larger than the last one reported
/// in that (profile, window) (Slips keeps one such count per profile and window), the evidence `CONNECTION_TO_MULTIPLE_PORTS`
/// is set: threat info, confidence 0.5, attacker the source (SRC), victim the destination (DST), uids the latest
/// flow of each port.
///
/// Description, as Slips (the ports as Python prints its list of strings):
/// `Connection to multiple ports ['8081', '9001'] from 10.0.0.5 to 203.0.113.9. `
///
/// The flows are established, so a handshake-proven flow among the uids makes the evidence `attackerVerified`.
public final class MultiplePortsConnectionDetector: Detector {
    /// The name used in config and logs.
    public static let name = "connection_to_multiple_ports"
    /// What it detects, in one line.
    public static let description = "Established TCP connections to several unknown ports of one host (Slips' CONNECTION_TO_MULTIPLE_PORTS)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// Confidence of the evidence.
    static let confidence = 0.5
    /// Most (destination, port) entries per (profile, window).
    static let portsPerWindow = 8_192

    struct Ports {
        /// Port and the latest uid on it, in the order the ports first appeared.
        var ports: [(port: UInt16, uid: FlowUID)] = []
    }

    struct Window: BudgetedWindowState {
        var destinations: [IPAddress: Ports] = [:]
        /// Ports listed by the last evidence of this (profile, window), whatever its destination (Slips keeps
        /// one count per profile and window).
        var reported = 0
        var budgetUnits = 0
        init() {}
    }

    private let context: DetectorContext
    private let knownPorts = KnownServicePorts.builtIn
    private var sightings: SharedFlowSighting
    private(set) var windows = WindowedDetectorState<Window>(budgetUnits: 262_144, owner: MultiplePortsConnectionDetector.name)

    /// Subscribes to `new_flow` and `tw_closed`.
    public init(context: DetectorContext) throws {
        self.context = context
        sightings = context.flowSighting()
        context.subscribe(.newFlow)
        windows.subscribe(context)
    }

    /// Adds an established TCP flow to an unknown port; sets evidence when the destination's port set grew past one.
    public func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return windows.handle(message) }
        let flow = flowMessage.flow
        guard flow.isEstablishedTCP, flow.service.isEmpty,
              !knownPorts.contains(port: flow.responderPort, proto: .tcp), sightings.isFirst(flow) else { return }
        let budget = windows.budget
        let grown: [(port: UInt16, uid: FlowUID)]?? = windows.withState(of: flowMessage) { state in
            var entry = state.destinations[flow.responder] ?? Ports()
            if let index = entry.ports.firstIndex(where: { $0.port == flow.responderPort }) {
                entry.ports[index].uid = flow.uid
            } else {
                guard state.reserve(cap: Self.portsPerWindow, budget: budget) else { return nil }
                entry.ports.append((flow.responderPort, flow.uid))
            }
            defer { state.destinations[flow.responder] = entry }
            guard entry.ports.count > 1, entry.ports.count > state.reported else { return nil }
            state.reported = entry.ports.count
            return entry.ports
        }
        guard let found = grown, let ports = found else { return }
        let list = "[" + ports.map { "'\($0.port)'" }.joined(separator: ", ") + "]"
        context.setEvidence(Evidence(
            type: .CONNECTION_TO_MULTIPLE_PORTS,
            description: "Connection to multiple ports \(list) from \(flow.originator) to \(flow.responder). ",
            attacker: Attacker(direction: .SRC, value: flow.originator.description),
            victim: Victim(direction: .DST, value: flow.responder.description),
            threatLevel: .info, confidence: Self.confidence, profile: flowMessage.profile,
            timeWindow: flowMessage.timeWindow, uids: ports.map(\.uid), timestamp: flow.startTime))
    }

    /// Sweeps windows that ended long ago.
    public func tick(now: PacketTime) throws { windows.tick(now: now) }
}
