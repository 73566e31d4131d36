import NetCore
import Records

/// What `SSHPasswordGuessingDetector` keeps for one (client profile, time window): the SSH connections counted
/// per server endpoint.
struct SSHGuessingWindow: BudgetedWindowState {
    /// A server endpoint: the IP and the port its SSH banner was seen on.
    struct Server: Hashable {
        var ip: IPAddress
        var port: UInt16
    }

    /// Connections to one server.
    struct Attempts {
        var count = 0
        /// The connections since the last report (at most the threshold).
        var sinceReport: [FlowUID] = []
    }

    var servers: [Server: Attempts] = [:]
    /// Units held: one per server endpoint.
    var budgetUnits = 0
    /// Connections counted in this window, to all servers.
    var attempts = 0
    /// True once this window reported: the state is then evicted last.
    var reported = false

    init() {}

    /// One connection and no evidence: dropped first when the budget is full; more and no evidence: next; with
    /// evidence: last, smallest first.
    var eviction: WindowEviction {
        if reported { return .evidence }
        return attempts <= 1 ? .singleSighting : .noEvidence
    }
}
