import NetCore
import Records

/// Horizontal and vertical port scans, from TCP and UDP flows that were not established (Slips'
/// `network_discovery` module, port-scan part).
///
/// - `HORIZONTAL_PORT_SCAN`: one source, one destination port and protocol, many distinct destination IPs.
/// - `VERTICAL_PORT_SCAN`: one source, one destination IP and protocol, many distinct destination ports.
///
/// Counted per (profile, time window) on every `new_flow` record, so a scan is recognised while it runs (the flow
/// table publishes interim records for unanswered SYNs within seconds). Only flows for which
/// `ConnRecord.isUnansweredAttempt` holds count: TCP in S0, REJ, RSTOS0, RSTRH, SH, SHR; UDP flows the responder
/// never answered. Multicast and broadcast destinations are skipped (they are not hosts being probed).
///
/// Slips' semantics (`horizontal_portscan.py`, `vertical_portscan.py`): evidence when the distinct targets reach
/// `network_discovery.minimum_targets` (10: Slips' first log10 bucket), then once more at each of
/// `network_discovery.report_levels` (100, 1000, 10000, 100000: each further bucket) — never for the targets in
/// between. Threat high; confidence Slips' `calculate_confidence` of the packets sent to the targets (1 above 10
/// packets, 0.3 for none, else packets / 10), where a flow published several times (interim, then final) adds
/// its packets once. The attacker is the scanning source (SRC); the victim is the destination IP for a vertical
/// scan and none for a horizontal one. The evidence time is the start of the scan's first flow, as Slips'.
/// Descriptions are Slips' words:
/// `Horizontal port scan to port http 80/tcp. From 10.0.2.112 to 10 unique destination IPs. Total packets sent: 10.
/// Confidence: 1.0. by Slips` and `new vertical port scan to IP 45.33.32.156 from 192.168.1.9. Total 10 TCP ports
/// were scanned. Total packets sent to all ports: 10. Confidence: 1.0. by Slips` (the service name comes from
/// `KnownServicePorts.builtIn`; none for an unknown port, which leaves two spaces as in Slips). `uids` lists the
/// most recent flows of the scan, at most `ScanCounter.uidCapacity` (1000).
///
/// Memory: all state of all profiles is charged to one budget of `stateBudgetUnits` units — a stored target, a
/// counter or a uid slot is one unit; a full budget measured ~103 bytes per unit of resident memory (debug build,
/// 8 scanners × 40,000 targets), so about 27 MB at most — and one (profile, window) may hold at most
/// `windowUnitCap` of them, so a single scanner cannot take the whole budget. A window's state is dropped when
/// the window closes (`tw_closed`), when the profile's flows move two windows on, or by the sweep in `tick` five
/// minutes after the window ended. Past a cap, new targets are not counted (`budget.refused` counts them) until
/// state is dropped. The vertical evidence has no `dstPort` (many ports); the horizontal one has the port.
///
/// Floods of forged sources: when the budget is full, the state of sources that sent a single probe and have no
/// evidence is dropped first (oldest first), then that of other sources without evidence; a source that has
/// evidence keeps its state unless every state has evidence, and then the smallest of a sample goes (see
/// `ProfileWindowTable`). So a flood of random-source SYNs cannot keep a real scanner from being counted: its
/// state passes one target long before the flood's newer states push it out, and forged sources that each send
/// just enough to be reported are smaller than a real scan.
/// Drops and refusals are logged once per episode and counted in `budgetStatistics`.
///
/// Verified scans (slipsd's addition for blocking): TCP flows in which the source completed the handshake and sent
/// no data (`CompletedProbes`: a connect scan's open ports) are not counted as targets (as in Slips) but kept as
/// proofs per scan; once a scan has `requiredCompletedProbes` (6) distinct completed probes, its evidence lists
/// them, so the engine marks it `attackerVerified` and the block is full. A scan reported before its proofs were
/// complete is reported once more when they are.
///
/// Confined to the detection thread.
public final class PortScanDetector: Detector {
    /// The name used in config (`modules.disable`) and logs.
    public static let name = "network_discovery"
    /// What it detects, in one line.
    public static let description =
        "Detects horizontal and vertical port scans from not-established TCP and UDP flows"
    /// Who wrote it.
    public static let authors = ["slipsd"]

    /// Settings from the `network_discovery:` section.
    public typealias Settings = ScanReportSettings

    /// Budget units (targets, counters, uid slots) of all profiles together.
    public static let stateBudgetUnits = 262_144
    /// Budget units one (profile, window) may hold.
    public static let windowUnitCap = 65_536
    /// Free units kept, when the budget is full, by dropping states without evidence: more than one record may
    /// reserve (a state, a target, two counters and two uid slots).
    static let evictionHeadroom = 8

    private let context: DetectorContext
    private let levels: ReportLevels
    /// Distinct completed probes that verify a scan (slipsd's rule, not Slips'): six, or fewer when the first
    /// report needs fewer targets. Six distinct handshakes are far more than one ordinary empty connection, and
    /// a connect scanner finds that many open ports on a typical server; Slips' first report needs 10 targets.
    public static let requiredCompletedProbes = 6
    private let requiredProofs: Int
    private(set) var windowed = WindowedDetectorState<PortScanWindow>(
        budgetUnits: PortScanDetector.stateBudgetUnits, owner: PortScanDetector.name,
        evictionHeadroom: PortScanDetector.evictionHeadroom)
    private var packetCounts = FlowCounterDeltas()

    /// The budget every window state draws from.
    var budget: StateBudget { windowed.budget }
    /// The per-(profile, window) states.
    var windows: ProfileWindowTable<PortScanWindow> { windowed.windows }
    /// The state budget's counters: units held and at most held, refusals, states dropped to make room.
    public var budgetStatistics: StateBudgetStatistics { budget.statistics }

    /// Subscribes to `new_flow` and `tw_closed`; reads the `network_discovery:` settings.
    public init(context: DetectorContext) {
        self.context = context
        levels = context.detectorSettings(Settings.self).levels
        requiredProofs = min(levels.levels[0], Self.requiredCompletedProbes)
        context.subscribe(.newFlow)
        windowed.subscribe(context)
    }

    /// Handles a flow record or a closed window.
    public func main(_ message: ChannelMessage) {
        guard let flowMessage = message.flow else { return windowed.handle(message) }
        handle(flowMessage)
    }

    /// Drops the state of windows that ended more than five minutes ago, once a minute of packet time.
    public func tick(now: PacketTime) { windowed.tick(now: now) }

    /// What one counter reports when it reaches a level.
    private struct Report {
        var targets: Int
        var packets: UInt64
        var confidence: Double
        var uids: [FlowUID]
        var firstSeen: PacketTime?
    }

    private func handle(_ message: FlowMessage) {
        let flow = message.flow
        guard !flow.responder.isMulticastOrBroadcast else { return }
        if flow.isCompletedProbe { return handleCompletedProbe(message) }
        guard flow.isUnansweredAttempt else { return }
        let (packets, isFirstRecord) = packetCounts.update(flow, value: flow.originatorPackets)
        let levels = self.levels
        let budget = self.budget
        let required = requiredProofs
        let reports = windowed.withState(of: message) { state in
            var reports = Self.count(flow, packets: packets, isFirstRecord: isFirstRecord, in: &state, levels: levels,
                                     budget: budget)
            Self.attachProofs(to: &reports, of: flow, in: state, required: required)
            return reports
        }
        guard let reports else { return }
        if let report = reports.horizontal { emitHorizontal(report, message) }
        if let report = reports.vertical { emitVertical(report, message) }
    }

    /// A handshake the source completed without data: stored as a proof of its scans; when it is the one that
    /// makes a scan reported before proven, that scan is reported again with its proofs (the alert is then
    /// verified and the block full).
    private func handleCompletedProbe(_ message: FlowMessage) {
        let flow = message.flow
        let required = requiredProofs
        let budget = self.budget
        let reports = windowed.withState(of: message) { state -> (horizontal: Report?, vertical: Report?) in
            let hKey = PortScanWindow.HorizontalKey(port: flow.responderPort, proto: flow.proto)
            let vKey = PortScanWindow.VerticalKey(ip: flow.responder, proto: flow.proto)
            var reports: (horizontal: Report?, vertical: Report?) = (nil, nil)
            var hProofs = state.horizontalProofs[hKey] ?? CompletedProbes()
            if let proven = Self.addProof(flow.responder, flow, to: &hProofs, in: &state, required: required,
                                          budget: budget) {
                state.horizontalProofs[hKey] = hProofs
                if proven, let counter = state.horizontal[hKey], counter.nextLevel > 0 {
                    reports.horizontal = Report(targets: counter.targets, packets: counter.packets,
                                                confidence: counter.confidence, uids: counter.uids.uids,
                                                firstSeen: counter.firstSeen)
                }
            }
            var vProofs = state.verticalProofs[vKey] ?? CompletedProbes()
            if let proven = Self.addProof(flow.responderPort, flow, to: &vProofs, in: &state, required: required,
                                          budget: budget) {
                state.verticalProofs[vKey] = vProofs
                if proven, let counter = state.vertical[vKey], counter.nextLevel > 0 {
                    reports.vertical = Report(targets: counter.targets, packets: counter.packets,
                                              confidence: counter.confidence, uids: counter.uids.uids,
                                                firstSeen: counter.firstSeen)
                }
            }
            Self.attachProofs(to: &reports, of: flow, in: state, required: required)
            return reports
        }
        guard let reports else { return }
        if let report = reports.horizontal { emitHorizontal(report, message) }
        if let report = reports.vertical { emitVertical(report, message) }
    }

    /// Stores one completed probe (one budget unit). Nil when nothing was stored (a known target, enough proofs
    /// already, no budget); else whether this probe made the proofs sufficient.
    private static func addProof<Target: Hashable>(_ target: Target, _ flow: ConnRecord,
                                                   to proofs: inout CompletedProbes<Target>,
                                                   in state: inout PortScanWindow, required: Int,
                                                   budget: StateBudget) -> Bool? {
        guard !proofs.proves(required: required), state.reserve(cap: windowUnitCap, budget: budget) else { return nil }
        guard proofs.add(target, uid: flow.uid, required: required) else {
            state.release(1, to: budget)
            return nil
        }
        return proofs.proves(required: required)
    }

    /// Adds the completed probes of each reported scan, when there are enough of them, to its uids.
    private static func attachProofs(to reports: inout (horizontal: Report?, vertical: Report?), of flow: ConnRecord,
                                     in state: PortScanWindow, required: Int) {
        if reports.horizontal != nil,
           let proofs = state.horizontalProofs[.init(port: flow.responderPort, proto: flow.proto)],
           proofs.proves(required: required) {
            reports.horizontal!.uids += proofs.uids
        }
        if reports.vertical != nil, let proofs = state.verticalProofs[.init(ip: flow.responder, proto: flow.proto)],
           proofs.proves(required: required) {
            reports.vertical!.uids += proofs.uids
        }
    }

    /// Adds one record to the window's counters; returns the reports of counters that reached a level.
    private static func count(_ flow: ConnRecord, packets: UInt64, isFirstRecord: Bool, in state: inout PortScanWindow,
                              levels: ReportLevels, budget: StateBudget) -> (horizontal: Report?, vertical: Report?) {
        let cap = windowUnitCap
        let target = PortScanWindow.Target(ip: flow.responder, port: flow.responderPort, proto: flow.proto)
        let hKey = PortScanWindow.HorizontalKey(port: flow.responderPort, proto: flow.proto)
        let vKey = PortScanWindow.VerticalKey(ip: flow.responder, proto: flow.proto)

        // Each counter is found once and changed in place through its index (a new one costs one more lookup);
        // reserving budget units changes no dictionary, so the indices stay valid.
        let hIndex = state.horizontal.index(forKey: hKey)
        let vIndex = state.vertical.index(forKey: vKey)
        // Counters that no longer need counting (all levels reported) are left alone.
        let hOpen = !levels.isDone(next: hIndex.map { state.horizontal.values[$0].nextLevel } ?? 0)
        let vOpen = !levels.isDone(next: vIndex.map { state.vertical.values[$0].nextLevel } ?? 0)
        guard hOpen || vOpen else { return (nil, nil) }

        var isNewTarget = false
        if !state.targets.contains(target), state.reserve(cap: cap, budget: budget) {
            state.targets.insert(target)
            isNewTarget = true
        }
        let horizontal = hOpen ? counted(\.horizontal, hKey, hIndex, in: &state, flow, packets, isNewTarget,
                                         isFirstRecord, levels, budget) : nil
        let vertical = vOpen ? counted(\.vertical, vKey, vIndex, in: &state, flow, packets, isNewTarget,
                                       isFirstRecord, levels, budget) : nil
        if horizontal != nil || vertical != nil { state.reported = true }
        return (horizontal, vertical)
    }

    /// One kind of counter (horizontal or vertical) for the record: created when the budget allows (`index` nil:
    /// not there yet), then advanced in place; its report if it reached a level.
    private static func counted<Key: Hashable>(_ counters: WritableKeyPath<PortScanWindow, [Key: ScanCounter]>,
                                               _ key: Key, _ found: Dictionary<Key, ScanCounter>.Index?,
                                               in state: inout PortScanWindow, _ flow: ConnRecord, _ packets: UInt64,
                                               _ isNewTarget: Bool, _ isFirstRecord: Bool, _ levels: ReportLevels,
                                               _ budget: StateBudget) -> Report? {
        let cap = windowUnitCap
        var index = found
        if index == nil {
            guard state.reserve(cap: cap, budget: budget) else { return nil }
            state[keyPath: counters][key] = ScanCounter()
            index = state[keyPath: counters].index(forKey: key)
        }
        guard let index else { return nil }
        let newSlot = isFirstRecord && state[keyPath: counters].values[index].uids.wantsSlot
            && state.reserve(cap: cap, budget: budget)
        return advance(&state[keyPath: counters].values[index], flow, packets, isNewTarget, isFirstRecord, newSlot,
                       levels)
    }

    private static func advance(_ counter: inout ScanCounter, _ flow: ConnRecord, _ packets: UInt64, _ isNewTarget: Bool,
                                _ isFirstRecord: Bool, _ newSlot: Bool, _ levels: ReportLevels) -> Report? {
        counter.packets += packets
        if isFirstRecord { counter.uids.append(flow.uid, newSlot: newSlot) }
        if counter.firstSeen.map({ flow.startTime < $0 }) ?? true { counter.firstSeen = flow.startTime }
        guard isNewTarget else { return nil }
        counter.targets += 1
        guard levels.reached(counter.targets, next: &counter.nextLevel) else { return nil }
        return Report(targets: counter.targets, packets: counter.packets, confidence: counter.confidence,
                      uids: counter.uids.uids, firstSeen: counter.firstSeen)
    }

    private func emitHorizontal(_ report: Report, _ message: FlowMessage) {
        let flow = message.flow
        let text = "Horizontal port scan to port \(ServiceNames.described(flow.responderPort, flow.proto)). "
            + "From \(flow.originator) to \(report.targets) unique destination IPs. "
            + "Total packets sent: \(report.packets). "
            + "Confidence: \(SlipsNumbers.scanConfidenceText(packets: report.packets)). by Slips"
        context.setEvidence(Evidence(
            type: .HORIZONTAL_PORT_SCAN, description: text,
            attacker: Attacker(direction: .SRC, value: "\(flow.originator)"), victim: nil,
            threatLevel: .high, confidence: report.confidence, profile: message.profile,
            timeWindow: message.timeWindow, uids: report.uids, timestamp: report.firstSeen ?? flow.startTime,
            dstPort: flow.responderPort, proto: flow.proto))
    }

    private func emitVertical(_ report: Report, _ message: FlowMessage) {
        let flow = message.flow
        let text = "new vertical port scan to IP \(flow.responder) from \(flow.originator). "
            + "Total \(report.targets) \(flow.proto.upperName) ports were scanned. "
            + "Total packets sent to all ports: \(report.packets). "
            + "Confidence: \(SlipsNumbers.scanConfidenceText(packets: report.packets)). by Slips"
        context.setEvidence(Evidence(
            type: .VERTICAL_PORT_SCAN, description: text,
            attacker: Attacker(direction: .SRC, value: "\(flow.originator)"),
            victim: Victim(direction: .DST, value: "\(flow.responder)"),
            threatLevel: .high, confidence: report.confidence, profile: message.profile,
            timeWindow: message.timeWindow, uids: report.uids, timestamp: report.firstSeen ?? flow.startTime,
            dstPort: nil, proto: flow.proto))
    }
}
