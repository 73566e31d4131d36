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

    /// Connections to one server: Slips' "campaign".
    struct Attempts {
        /// Most uids an evidence lists (the most recent).
        static let uidCapacity = 32

        var count = 0
        /// The most recent connections (at most `uidCapacity`).
        var uids: [FlowUID] = []
        /// Slips' reporting bucket of the last report (-1: none yet).
        var reportedBucket = -1
        /// The latest client banner seen on a connection to this server.
        var clientBanner: String?

        /// Adds a connection's uid, keeping the most recent `uidCapacity`.
        mutating func remember(_ uid: FlowUID) {
            if uids.count == Self.uidCapacity { uids.removeFirst() }
            uids.append(uid)
        }
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
