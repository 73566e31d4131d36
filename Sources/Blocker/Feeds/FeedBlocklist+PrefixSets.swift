import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// The per-prefix-length hash sets of `FeedBlocklist.update`: creating the sets a new list needs, adding their
/// entries before the interval set changes, deleting entries and whole sets after it.
extension FeedBlocklist {
    /// What every send of one update shares.
    struct Context {
        var socket: NetlinkSocket
        var timeout: UInt64
        var userdata: [[UInt8]]
        var reassert: Bool
    }

    /// The per-length changes still to send once the interval and host sets changed.
    struct Pending<Key: FeedKey> {
        /// Per length still needed: the blocks kept or added (now in the set) and those to delete.
        var loaded: [Int: [AddressRange<Key>]] = [:]
        var removed: [Int: [AddressRange<Key>]] = [:]
        /// Lengths whose set is no longer needed.
        var obsolete: [Int] = []
    }

    private var layout: BlockerLayout { BlockerLayout(table: tableName, ipv4Set: "", ipv6Set: "", feedSets: true) }

    /// Creates, with their drop rules and in one atomic transaction, the per-length sets the partitions use
    /// that do not exist yet. Returns false when the kernel refused (the failure is in `report`).
    func createPrefixSets(_ part4: FeedPartition<UInt32>, _ part6: FeedPartition<UInt128>, state: inout State,
                          report: inout FeedUpdateReport) throws -> Bool {
        let new4 = part4.byLength.keys.filter { !state.ipv4.sets.contains($0) }.sorted()
        let new6 = part6.byLength.keys.filter { !state.ipv6.sets.contains($0) }.sorted()
        let prefixes = new4.map { BlockerLayout.FeedPrefixSet(family: .ipv4, length: $0) }
            + new6.map { BlockerLayout.FeedPrefixSet(family: .ipv6, length: $0) }
        // A set-up that ran beside an update (`slipsd --block` flushes the chains) may have missed a set made
        // meanwhile: a kept set without any drop rule gets its rules again.
        var kept = state.ipv4.sets.map { BlockerLayout.FeedPrefixSet(family: .ipv4, length: $0) }
            + state.ipv6.sets.map { BlockerLayout.FeedPrefixSet(family: .ipv6, length: $0) }
        if !kept.isEmpty {
            let ruled = Set(try FeedRuleCounters.rules(table: tableName, on: state.socket).map(\.set))
            kept.removeAll { ruled.contains($0.name) }
        }
        guard !prefixes.isEmpty || !kept.isEmpty else { return true }
        let transaction = NftTransaction("creating the per-prefix-length feed sets of table inet \(tableName)")
        for prefix in prefixes { layout.appendFeedPrefixSet(prefix, to: transaction) }
        for prefix in kept.sorted() { layout.appendFeedPrefixRules(prefix, to: transaction) }
        let result = try transaction.commit(on: state.socket, atomic: true)
        report.transactions += 1
        if let failure = result.firstFailure {
            report.failures.append(failure.description)
            return false
        }
        state.ipv4.sets.formUnion(new4)
        state.ipv6.sets.formUnion(new6)
        return true
    }

    /// Sends the additions (and re-asserted timeouts) of every per-length set of one family.
    func addByLength<Key: FeedKey>(old: Loaded<Key>, new: FeedPartition<Key>, _ context: Context,
                                   report: inout FeedUpdateReport) throws -> Pending<Key> {
        var pending = Pending<Key>()
        for length in new.byLength.keys.sorted() {
            let set = BlockerLayout.FeedPrefixSet(family: Key.family, length: length).name
            let diff = RangeDiff(old: old.byLength[length] ?? [], new: new.byLength[length] ?? [])
            let failed = try send(diff.added, set: set, adding: true, context, report: &report)
            report.added += diff.added.count - failed.count
            var loaded = diff.kept + diff.added.filter { !failed.contains($0) }
            if context.reassert, !diff.kept.isEmpty {
                let lapsed = try send(diff.kept, set: set, adding: true, context, report: &report)
                report.reasserted += diff.kept.count - lapsed.count
            }
            loaded.sort { $0.first < $1.first }
            pending.loaded[length] = loaded
            pending.removed[length] = diff.removed
        }
        pending.obsolete = old.sets.filter { new.byLength[$0] == nil }.sorted()
        return pending
    }

    /// Deletes what left the per-length sets of one family, then the sets no longer needed (rules first).
    func finishByLength<Key: FeedKey>(_ loaded: inout Loaded<Key>, _ pending: Pending<Key>, _ context: Context,
                                      report: inout FeedUpdateReport) throws {
        for (length, removed) in pending.removed.sorted(by: { $0.key < $1.key }) {
            let set = BlockerLayout.FeedPrefixSet(family: Key.family, length: length).name
            let failed = try send(removed, set: set, adding: false, context, report: &report)
            report.removed += removed.count - failed.count
            loaded.byLength[length] = ((pending.loaded[length] ?? []) + failed).sorted { $0.first < $1.first }
        }
        guard !pending.obsolete.isEmpty else { return }
        let rules = try FeedRuleCounters.rules(table: tableName, on: context.socket)
        for length in pending.obsolete {
            let prefix = BlockerLayout.FeedPrefixSet(family: Key.family, length: length)
            let transaction = NftTransaction("deleting the feed set inet \(tableName) \(prefix.name) and its rules")
            for rule in rules where rule.set == prefix.name {
                NftMessages.deleteRule(.inet, table: tableName, chain: rule.chain, handle: rule.handle, set: rule.set,
                                       to: transaction)
            }
            NftMessages.deleteSet(.inet, table: tableName, set: prefix.name, to: transaction)
            let result = try transaction.commit(on: context.socket, atomic: true)
            report.transactions += 1
            if let failure = result.firstFailure {
                report.failures.append(failure.description)   // still there: deleted next time
            } else {
                report.removed += loaded.byLength[length]?.count ?? 0
                loaded.byLength[length] = nil
                loaded.sets.remove(length)
            }
        }
    }

    /// Adds (with the timeout and comment) or deletes `ranges`' networks in a per-length hash set, one
    /// transaction per `rangesPerTransaction`. Returns the ranges of the transactions the kernel refused.
    private func send<Key: FeedKey>(_ ranges: [AddressRange<Key>], set: String, adding: Bool, _ context: Context,
                                    report: inout FeedUpdateReport) throws -> [AddressRange<Key>] {
        var failed: [AddressRange<Key>] = []
        var start = 0
        while start < ranges.count {
            let end = min(ranges.count, start + rangesPerTransaction)
            let transaction = NftTransaction("\(adding ? "adding to" : "deleting from") the feed set inet \(tableName) \(set)")
            let sent = FeedSetMessages.append(ranges[start..<end], table: tableName, set: set, interval: false,
                                              timeoutMilliseconds: adding ? context.timeout : nil,
                                              userdata: context.userdata, to: transaction)
            let committing = ContinuousClock.now
            let result = try transaction.commit(on: context.socket, atomic: false)
            report.commitDuration += ContinuousClock.now - committing
            report.transactions += 1
            report.messages += sent.messages
            report.elementsSent += sent.elements
            if let failure = result.firstFailure {
                report.failures.append(failure.description)
                failed += ranges[start..<end]
            }
            start = end
        }
        return failed
    }
}
