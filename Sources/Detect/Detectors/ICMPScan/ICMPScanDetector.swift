import NetCore
import Records

/// ICMP sweeps: one source sending echo, timestamp or address-mask requests to many distinct hosts (part of
/// Slips' `network_discovery`; its own name here so it can be disabled on its own).
///
/// - `ICMP_ADDRESS_SCAN`: echo requests (ICMP type 8, ICMPv6 type 128).
/// - `ICMP_TIMESTAMP_SCAN`: timestamp requests (type 13).
/// - `ICMP_ADDRESS_MASK_SCAN`: address mask requests (type 17).
///
/// A request counts whether or not it was answered (a sweep that finds live hosts is still a sweep).
/// Multicast and broadcast destinations are skipped. Evidence when the distinct hosts reach
/// `icmp_scan.minimum_targets` (10), then once more at each of `icmp_scan.report_levels` (100, 1000, …), the
/// same buckets as port scans (Slips' own Zeek script reports every 5 hosts; see docs/slips-parity.md). Threat
/// medium; confidence Slips' rule for ICMP sweeps, `(hosts − 255) / 250 + 1` within [0, 1] (a /24 swept is 1).
/// Description in Slips' words: `10.0.0.1 performed ICMP address scan on 25 hosts`. Attacker: the source; no
/// victim (many hosts). `srcPort` carries the ICMP type, as Zeek does. `uids`: the most recent 1000 flows.
///
/// Memory: per (profile, window) at most three sweeps, each storing at most the top level (1000) hosts plus 1000
/// uids; all profiles together draw from one budget of `stateBudgetUnits` units (a host, a sweep or a uid slot; a
/// full budget measured ~24 bytes per unit resident, ~6 MB), and one window may hold `windowUnitCap`. State is
/// dropped as in `PortScanDetector`; so is the state of sources without evidence when a flood fills the budget
/// (`budgetStatistics` counts the drops).
///
/// Confined to the detection thread.
public final class ICMPScanDetector: Detector {
    /// The name used in config (`modules.disable`) and logs.
    public static let name = "icmp_scan"
    /// What it detects, in one line.
    public static let description = "Detects ICMP echo, timestamp and address-mask sweeps across many hosts"
    /// Who wrote it.
    public static let authors = ["slipsd"]

    /// Settings from the `icmp_scan:` section (same keys as `network_discovery:`).
    public typealias Settings = ScanReportSettings

    /// Budget units (hosts, sweeps, uid slots) of all profiles together.
    public static let stateBudgetUnits = 262_144
    /// Budget units one (profile, window) may hold.
    public static let windowUnitCap = 8_192
    /// Free units kept, when the budget is full, by dropping states without evidence: more than one record may
    /// reserve (a state, a sweep, a uid slot and a host).
    static let evictionHeadroom = 8

    private let context: DetectorContext
    private let levels: ReportLevels
    private(set) var windowed = WindowedDetectorState<ICMPScanWindow>(
        budgetUnits: ICMPScanDetector.stateBudgetUnits, owner: ICMPScanDetector.name,
        evictionHeadroom: ICMPScanDetector.evictionHeadroom)
    private var packetCounts = FlowCounterDeltas()

    /// The budget every window state draws from.
    var budget: StateBudget { windowed.budget }
    /// The per-(profile, window) states.
    var windows: ProfileWindowTable<ICMPScanWindow> { windowed.windows }
    /// The state budget's counters: units held and at most held, refusals, states dropped to make room.
    public var budgetStatistics: StateBudgetStatistics { budget.statistics }

    /// Subscribes to `new_flow` and `tw_closed`; reads the `icmp_scan:` settings.
    public init(context: DetectorContext) {
        self.context = context
        levels = context.detectorSettings(Settings.self).levels
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

    private struct Report {
        var hosts: Int
        var packets: UInt64
        var confidence: Double
        var uids: [FlowUID]
    }

    private func handle(_ message: FlowMessage) {
        let flow = message.flow
        guard let kind = ICMPScanKind(flow), !flow.responder.isMulticastOrBroadcast else { return }
        let (packets, isFirstRecord) = packetCounts.update(flow, value: flow.originatorPackets)
        let levels = self.levels
        let budget = self.budget
        let cap = Self.windowUnitCap
        let report: Report?? = windowed.withState(of: message) { state in
            if state.sweeps[kind] == nil {
                guard state.reserve(cap: cap, budget: budget) else { return nil }
                state.sweeps[kind] = ICMPScanWindow.Sweep()
            }
            guard !levels.isDone(next: state.sweeps[kind]!.counter.nextLevel) else { return nil }
            state.sweeps[kind]!.counter.packets += packets
            if isFirstRecord {
                let newSlot = state.sweeps[kind]!.counter.uids.wantsSlot && state.reserve(cap: cap, budget: budget)
                state.sweeps[kind]!.counter.uids.append(flow.uid, newSlot: newSlot)
            }
            guard !state.sweeps[kind]!.hosts.contains(flow.responder), state.reserve(cap: cap, budget: budget)
            else { return nil }
            state.sweeps[kind]!.hosts.insert(flow.responder)
            state.sweeps[kind]!.counter.targets += 1
            let counter = state.sweeps[kind]!.counter
            var next = counter.nextLevel
            guard levels.reached(counter.targets, next: &next) else { return nil }
            state.sweeps[kind]!.counter.nextLevel = next
            state.reported = true
            // Past the top level no count can report again: the hosts are no longer needed.
            if levels.isDone(next: next) {
                state.forgetHosts(of: kind, budget: budget)
            }
            return Report(hosts: counter.targets, packets: counter.packets,
                          confidence: Self.confidence(hosts: counter.targets), uids: counter.uids.uids)
        }
        guard let found = report, let found else { return }
        emit(found, kind, message)
    }

    /// Slips' confidence of an ICMP sweep of `hosts` hosts: `(hosts − 255) / 250 + 1`, clamped to [0, 1].
    static func confidence(hosts: Int) -> Double {
        min(1, max(0, Double(hosts - 255) / 250 + 1))
    }

    private func emit(_ report: Report, _ kind: ICMPScanKind, _ message: FlowMessage) {
        let flow = message.flow
        let text = "\(flow.originator) performed \(kind.text) on \(report.hosts) hosts"
        context.setEvidence(Evidence(
            type: kind.evidenceType, description: text,
            attacker: Attacker(direction: .SRC, value: "\(flow.originator)"), victim: nil,
            threatLevel: .medium, confidence: report.confidence, profile: message.profile,
            timeWindow: message.timeWindow, uids: report.uids, timestamp: flow.startTime,
            srcPort: flow.originatorPort, proto: flow.proto))
    }
}
