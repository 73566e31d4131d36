import NetCore
import Records

/// What `ICMPScanDetector` keeps for one (profile, time window): per kind of request, the distinct hosts asked
/// (stored only until the top report level is reached) and the running counter.
struct ICMPScanWindow: BudgetedWindowState {
    /// One sweep: the hosts it reached so far and its counter.
    struct Sweep {
        var hosts: Set<IPAddress> = []
        var counter = ScanCounter()
    }

    var sweeps: [ICMPScanKind: Sweep] = [:]
    /// Units held: stored hosts, sweeps and uid slots.
    var budgetUnits = 0
    /// True once a sweep of this window reported: the state is then evicted last.
    var reported = false

    init() {}

    /// One host asked and no evidence: dropped first when the budget is full; more hosts and no evidence: next;
    /// with evidence: last, smallest first.
    var eviction: WindowEviction {
        if reported { return .evidence }
        var hosts = 0
        for sweep in sweeps.values { hosts += sweep.counter.targets }
        return hosts <= 1 ? .singleSighting : .noEvidence
    }

    /// Forgets the hosts of a sweep that can no longer report and gives their units back to `budget`.
    mutating func forgetHosts(of kind: ICMPScanKind, budget: StateBudget) {
        guard let count = sweeps[kind]?.hosts.count, count > 0 else { return }
        sweeps[kind]!.hosts = []
        release(count, to: budget)
    }
}
