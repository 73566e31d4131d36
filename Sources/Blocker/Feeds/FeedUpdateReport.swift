/// What one `FeedBlocklist.update` did.
public struct FeedUpdateReport: Sendable {
    /// Feed entries handed in (CIDRs, both families).
    public var entries = 0
    /// Entries refused because they cover an address slipsd protects, one line each ("… not loaded: …").
    public var refused: [String] = []
    /// Intervals after merging (the size of the new list, both families).
    public var intervals = 0
    /// Intervals added to the kernel sets (new, or changed in extent).
    public var added = 0
    /// Intervals deleted from the kernel sets (no longer listed, or changed in extent).
    public var removed = 0
    /// Unchanged intervals whose timeout was re-asserted.
    public var reasserted = 0
    /// Kernel set elements written (an interval is two: start and end).
    public var elementsSent = 0
    /// Transactions (each one batch, applied atomically) and netlink messages sent.
    public var transactions = 0
    public var messages = 0
    /// Failures the kernel reported (the previous elements of a failed transaction are kept in the state).
    public var failures: [String] = []
    /// Wall time of the whole update (merge, diff, netlink) and of the netlink part alone.
    public var duration: Duration = .zero
    public var commitDuration: Duration = .zero

    /// Kernel elements per second of the netlink part.
    public var elementsPerSecond: Double {
        let seconds = Double(commitDuration.components.seconds) + Double(commitDuration.components.attoseconds) * 1e-18
        return seconds > 0 ? Double(elementsSent) / seconds : 0
    }

    /// One line for slipsd.log.
    public var summary: String {
        "feed blocklist: \(entries) entries → \(intervals) intervals; +\(added) −\(removed), \(reasserted) re-asserted, "
            + "\(refused.count) refused; \(elementsSent) elements in \(transactions) transactions, \(duration)"
            + (failures.isEmpty ? "" : "; \(failures.count) failed: \(failures[0])")
    }
}
