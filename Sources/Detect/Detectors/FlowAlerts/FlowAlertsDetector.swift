import NetCore
import Records

/// Rules on single flows and on small per-window counts (Slips' `flowalerts` module, flow part). Each rule is a
/// nested type in its own file (`FlowAlerts+…swift`) and sets its own evidence type:
///
/// | Evidence                         | Rule (Slips' `flow_alerts`, see docs/slips-parity.md)       | Threat      | Conf.     |
/// |----------------------------------|-------------------------------------------------------------|-------------|-----------|
/// | `LONG_CONNECTION`                | duration > 1500 s, once per flow                            | low         | dur/86400 |
/// | `DATA_UPLOAD` (a pair)           | ≥ 100 MB in a flow, ≥ 500 MB to one destination per window  | info + high (DST) | 0.6 |
/// | `PORT_0_CONNECTION`              | TCP/UDP with source or destination port 0                   | high        | 0.8       |
/// | `MULTIPLE_RECONNECTION_ATTEMPTS` | every 5 REJ flows to one IP:port per window                 | medium      | 0.5       |
/// | `UNKNOWN_PORT`                   | TCP/UDP flow to a port not in KnownServicePorts, any state  | high (established) / medium | 1 |
///
/// Evidence timestamps are the flow's start time (Zeek's `ts`, what Slips uses), so they fall in the flow's time
/// window even when an interim record of a long flow triggers them hours later. Thresholds come from the
/// `flowalerts:` section (`FlowAlertsDetector.Settings`). Every rule copes with a flow published several times (interim
/// records, then the final one): see each rule. State is bounded per rule (see each rule) and per-window state is
/// dropped when the window closes (`tw_closed`), when the profile moves two windows on, or by the sweep in `tick`
/// five minutes after the window ended.
///
/// Confined to the detection thread.
public final class FlowAlertsDetector: Detector {
    /// The name used in config (`modules.disable`) and logs.
    public static let name = "flowalerts"
    /// What it detects, in one line.
    public static let description =
        "Detects long connections, large uploads, port-0 traffic, repeated rejected connections and unknown ports"
    /// Who wrote it.
    public static let authors = ["slipsd"]

    /// Flow uids each rule remembers to tell a flow's interim and final records apart.
    static let uidMemory = 65_536
    /// Budget units of each rule's per-window table (states and their entries, over all profiles).
    static let windowStates = 131_072
    static let windowGrace: Duration = .seconds(300)

    private let context: DetectorContext
    private let settings: Settings
    private var longConnection: LongConnection
    private var dataUpload: DataUpload
    private var port0: Port0
    private var reconnection: Reconnection
    private var unknownPort: UnknownPort
    private var sweeps = SweepSchedule(interval: .seconds(60))

    /// The service ports `UNKNOWN_PORT` treats as known: `KnownServicePorts.builtIn` plus any added.
    public var knownPorts: KnownServicePorts { unknownPort.knownPorts }

    /// Subscribes to `new_flow` and `tw_closed`; reads the `flowalerts:` settings.
    public init(context: DetectorContext) {
        self.context = context
        settings = context.detectorSettings(Settings.self)
        longConnection = LongConnection(settings: settings)
        dataUpload = DataUpload(settings: settings)
        port0 = Port0(sightings: context.flowSighting())
        reconnection = Reconnection(settings: settings, sightings: context.flowSighting())
        unknownPort = UnknownPort(knownPorts: .builtIn, learned: context.flowSighting())
        context.subscribe(.newFlow)
        context.subscribe(.twClosed)
    }

    /// Adds the ports of `flowalerts.known_services_file`, when set.
    ///
    /// - Throws: `KnownServicePortsError` when the file cannot be read or a line is malformed (the detector is
    ///   then stopped and the error written to errors.log).
    public func preMain() throws {
        if let path = settings.knownServicesFile { try addKnownPorts(fromFile: path) }
    }

    /// Adds the services of an `/etc/services`-format file to the known ports (`preMain` does it for
    /// `flowalerts.known_services_file`); usable before any message.
    ///
    /// - Throws: `KnownServicePortsError` when the file cannot be read or a line is malformed; the known ports
    ///   are then unchanged.
    public func addKnownPorts(fromFile path: String) throws(KnownServicePortsError) {
        let entries = try KnownServicePorts.loadEntries(fromFile: path)
        unknownPort.knownPorts.add(entries)
        context.print("\(entries.count) known service ports added from \(path)", verbose: 2)
    }

    /// Runs every rule on a flow record, or closes a window.
    public func main(_ message: ChannelMessage) {
        switch message {
        case .record:
            guard let flowMessage = message.flow else { return }
            if let evidence = longConnection.check(flowMessage) { context.setEvidence(evidence) }
            for evidence in dataUpload.check(flowMessage) { context.setEvidence(evidence) }
            if let evidence = port0.check(flowMessage) { context.setEvidence(evidence) }
            if let evidence = reconnection.check(flowMessage) { context.setEvidence(evidence) }
            if let evidence = unknownPort.check(flowMessage) { context.setEvidence(evidence) }
        case .twClosed(let profile, let window):
            dataUpload.close(profile: profile, window: window)
            port0.close(profile: profile, window: window)
            reconnection.close(profile: profile, window: window)
            unknownPort.close(profile: profile, window: window)
        default:
            break
        }
    }

    /// Drops the state of windows that ended more than `windowGrace` ago, once a minute of packet time.
    public func tick(now: PacketTime) {
        guard sweeps.isDue(now: now) else { return }
        dataUpload.sweep(now: now, grace: Self.windowGrace)
        port0.sweep(now: now, grace: Self.windowGrace)
        reconnection.sweep(now: now, grace: Self.windowGrace)
        unknownPort.sweep(now: now, grace: Self.windowGrace)
    }

    /// (profile, window) states held by the rules with per-window state (for tests and metrics).
    var windowStateCount: Int {
        dataUpload.windows.stateCount + port0.windows.stateCount + reconnection.windows.stateCount
            + unknownPort.windows.stateCount
    }
}
