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

    init() {}
}
