import NetCore

/// A DNS flow's state: the queries waiting for their responses, oldest first (bounded by
/// `AnalyzerConfiguration.dnsPendingPerFlow`). Lives in its `AnalyzedFlow`.
struct DNSFlowState {
    /// A query seen, not yet answered.
    struct PendingQuery {
        var time: PacketTime
        var message: DNSWireMessage
        /// Bytes charged to the budget for it.
        var cost: Int
    }

    var pending: [PendingQuery] = []
}
