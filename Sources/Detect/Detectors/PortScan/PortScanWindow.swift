import NetCore
import Records

/// What `PortScanDetector` keeps for one (profile, time window).
///
/// One set of (destination IP, destination port, protocol) targets serves both scan shapes: a target seen for the
/// first time is a new destination IP for the horizontal counter of its port and a new port for the vertical
/// counter of its IP. Targets are only stored while one of those two counters can still report (below the top
/// level), so a counter that reported its last level stops costing memory.
struct PortScanWindow: BudgetedWindowState {
    /// One destination of a not-established flow.
    struct Target: Hashable {
        var ip: IPAddress
        var port: UInt16
        var proto: TransportProtocol
    }

    /// A horizontal scan: one destination port and protocol, many IPs.
    struct HorizontalKey: Hashable {
        var port: UInt16
        var proto: TransportProtocol
    }

    /// A vertical scan: one destination IP and protocol, many ports.
    struct VerticalKey: Hashable {
        var ip: IPAddress
        var proto: TransportProtocol
    }

    var targets: Set<Target> = []
    var horizontal: [HorizontalKey: ScanCounter] = [:]
    var vertical: [VerticalKey: ScanCounter] = [:]
    /// Handshakes the source completed without data (a connect scan's open ports), per scan.
    var horizontalProofs: [HorizontalKey: CompletedProbes<IPAddress>] = [:]
    var verticalProofs: [VerticalKey: CompletedProbes<UInt16>] = [:]
    /// Units held: stored targets, counters and uid slots.
    var budgetUnits = 0
    /// True once a counter of this window reported (evidence was raised): the state is then evicted last.
    var reported = false

    init() {}

    /// One target and no evidence: what each forged source of a flood leaves; dropped first when the budget is
    /// full. Several targets and no evidence: dropped next. With evidence: last, smallest first.
    var eviction: WindowEviction {
        if reported { return .evidence }
        return targets.count <= 1 ? .singleSighting : .noEvidence
    }
}
