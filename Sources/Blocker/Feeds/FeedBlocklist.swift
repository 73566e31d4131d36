import NetCore
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Known-bad addresses of threat-intelligence feeds, dropped in the kernel: single addresses in the hash sets
/// `feedhost4`/`feedhost6` (O(1), the fast load), ranges in the interval sets `feed4`/`feed6` of the slipsd table (created by `NftablesBlocker.setUp` with `Configuration.feedBlocklists`), matched
/// in prerouting (sources) and in forward and output (destinations) at the same early hooks as blocked hosts,
/// so listed traffic never reaches the queue — whatever the steering (`--no-steer`, `-i … -p`).
///
/// **Start.** The first update empties the feed sets (an earlier run's entries are not known without a dump),
/// then loads the lists; listed addresses pass for the seconds of that first load.
///
/// **Incremental.** The ranges loaded are kept in memory (sorted, merged, per family). `update` merges the new
/// lists, compares them with what was loaded and sends only the difference: ranges that left or changed are
/// deleted and the new ones added, each group of overlapping old and new ranges in one atomic transaction
/// (deletes first, so the kernel never sees overlapping intervals and no address of a changed range passes in
/// between). The kernel's set is never dumped to compute the difference.
///
/// **Timeouts.** Every element carries the timeout given to `update` (longer than the refresh interval); the
/// unchanged ranges are re-asserted on every update (an add of an existing element refreshes its timeout), so a
/// live daemon's list never lapses and a dead daemon's list expires by itself.
///
/// **Busy prefix lengths.** A prefix length with at least `prefixSetThreshold` CIDR blocks of a family (after
/// merging) gets its own hash set keyed by the masked address (`feedp28_4`, see `BlockerLayout+FeedPrefix`),
/// so large range populations stay out of the interval set (an rbtree walked per forwarded packet). The set and
/// its three drop rules are created before any entry moves into it and deleted only after its entries are in
/// another set again: an entry moving between sets is added to its new set before it leaves the old one.
///
/// **Self-protection.** An entry that covers any address or range `SelfProtection` guards (the gateway's own
/// addresses, its gateways and resolvers, loopback, multicast, the allowlist) is not loaded; the report has one
/// line per entry refused.
///
/// **Threads and privileges.** As `NftablesBlocker`: every call from a thread that holds CAP_NET_ADMIN; the
/// netlink socket belongs to the network namespace of the creating thread. Calls are serialised by a lock.
public final class FeedBlocklist: Sendable {
    /// The table (as the blocker's configuration names it).
    public let tableName: String
    /// The guard consulted for every entry, if any.
    public let protection: SelfProtection?

    struct State {
        var socket: NetlinkSocket
        var feedIndex: [String: UInt32] = [:]
        var userdata: [[UInt8]] = []
        var ipv4 = Loaded<UInt32>()
        var ipv6 = Loaded<UInt128>()
        var lastReport: FeedUpdateReport?
        /// The sets were emptied once: what an earlier run loaded is not known (the sets are never dumped), so
        /// the first update starts from empty sets rather than leave stale entries (one since allowlisted, or
        /// a range that changed and would overlap its old interval) to live on until their timeout.
        var flushed = false
    }
    /// What one family has in the kernel (as slipsd sent it).
    struct Loaded<Key: FeedKey> {
        /// Hosts and interval-set ranges, sorted.
        var main: [AddressRange<Key>] = []
        /// Per busy prefix length, the blocks in its hash set.
        var byLength: [Int: [AddressRange<Key>]] = [:]
        /// The per-prefix-length sets that exist in the kernel (with their rules).
        var sets: Set<Int> = []
        var count: Int { byLength.values.reduce(main.count) { $0 + $1.count } }
    }
    private let state: Mutex<State>
    /// Blocks of one prefix length from which that length gets its own hash set.
    public let prefixSetThreshold: Int
    /// Ranges per transaction, so that one transaction fits one batch of the send buffer.
    let rangesPerTransaction: Int

    /// Opens the netlink socket (no change to the kernel).
    /// - Parameters:
    ///   - tableName: the slipsd table (`blocking.table`).
    ///   - protection: addresses never to drop.
    ///   - sendBufferBytes: requested netlink send buffer (SO_SNDBUFFORCE); bounds one transaction.
    ///   - prefixSetThreshold: CIDR blocks of one prefix length from which the length gets its own hash set.
    /// - Throws: `BlockerError` when the socket cannot be opened.
    public init(tableName: String = "slipsd", protection: SelfProtection? = nil, sendBufferBytes: Int = 8 << 20,
                prefixSetThreshold: Int = 1024) throws {
        self.tableName = tableName
        self.protection = protection
        self.prefixSetThreshold = max(1, prefixSetThreshold)
        let socket = try BlockerError.mapping { try NetlinkSocket(sendBufferBytes: sendBufferBytes) }
        // An IPv6 range with its comment is at most ~140 bytes; keep a quarter of the buffer spare.
        rangesPerTransaction = max(100, socket.sendLimit * 3 / 4 / 140)
        state = Mutex(State(socket: socket))
    }

    /// Replaces the kernel's feed lists by `sources`, sending only the difference (see the type's comment).
    /// - Parameters:
    ///   - sources: every feed to block, with its ranges (an empty list removes everything loaded).
    ///   - timeout: the element timeout (at least 1 s; longer than the refresh interval).
    ///   - reassert: re-send the unchanged ranges to refresh their timeouts (true on every refresh).
    /// - Returns: the counts, the refused entries and the failures (a failed transaction keeps its previous
    ///   ranges in the state, so the next update tries again).
    /// - Throws: `BlockerError` when the netlink socket fails.
    @discardableResult
    public func update(_ sources: [FeedBlockSource], timeout: Duration, reassert: Bool = true) throws -> FeedUpdateReport {
        let started = ContinuousClock.now
        // The gateway's addresses, routes and resolvers as they are now (DHCP may have changed them since).
        _ = protection?.refresh()              // its warnings were logged at start; the rest still protects
        let guardRanges = FeedProtection(rules: protection?.rules ?? [])
        return try state.withLock { state in
            var report = FeedUpdateReport()
            if !state.flushed {
                // Per-prefix-length sets of an earlier run (their rules survive a restart's set-up): emptied too,
                // then kept or deleted by the update below.
                let earlier = Set(try FeedRuleCounters.rules(table: tableName, on: state.socket)
                    .compactMap { BlockerLayout.FeedPrefixSet(name: $0.set) })
                let transaction = NftTransaction("emptying the feed sets of table inet \(tableName) left by an earlier run")
                for prefix in earlier.sorted() {
                    NftMessages.flushSet(.inet, table: tableName, set: prefix.name, to: transaction)
                }
                for family in [IPAddress.Family.ipv4, .ipv6] {
                    for hosts in [false, true] {
                        NftMessages.flushSet(.inet, table: tableName, set: BlockerLayout.feedSet(for: family, hosts: hosts),
                                             to: transaction)
                    }
                }
                try transaction.commit(on: state.socket, atomic: true).throwIfFailed()
                state.ipv4.sets = Set(earlier.filter { $0.family == .ipv4 }.map(\.length))
                state.ipv6.sets = Set(earlier.filter { $0.family == .ipv6 }.map(\.length))
                state.flushed = true
            }
            var ranges4: [AddressRange<UInt32>] = []
            var ranges6: [AddressRange<UInt128>] = []
            for source in sources {
                let feed = Self.index(of: source.name, in: &state)
                report.entries += source.ranges.count
                for range in source.ranges {
                    if let why = guardRanges.refusal(range) {
                        report.refused.append("feed blocklist: \(range) of feed \(source.name) not loaded: \(why)")
                    } else if let (first, last) = UInt32.bounds(range) {
                        ranges4.append(AddressRange(first: first, last: last, feed: feed))
                    } else if let (first, last) = UInt128.bounds(range) {
                        ranges6.append(AddressRange(first: first, last: last, feed: feed))
                    }
                }
            }
            let new4 = RangeMerge.merged(ranges4)
            let new6 = RangeMerge.merged(ranges6)
            report.intervals = new4.count + new6.count
            let timeoutMilliseconds = UInt64(max(1, timeout.components.seconds)) * 1000
            let userdata = state.userdata
            var part4 = FeedPartition(merged: new4, threshold: prefixSetThreshold)
            var part6 = FeedPartition(merged: new6, threshold: prefixSetThreshold)
            if try !createPrefixSets(part4, part6, state: &state, report: &report) {
                // Without their sets every range stays in the interval set (the old per-length sets keep
                // dropping until their entries are there again).
                part4 = FeedPartition(merged: new4, threshold: .max)
                part6 = FeedPartition(merged: new6, threshold: .max)
            }
            let context = Context(socket: state.socket, timeout: timeoutMilliseconds, userdata: userdata,
                                  reassert: reassert)
            // Adds to the per-length sets first, then the host and interval sets' changes, then the per-length
            // deletions: an entry that moves is in its new set before it leaves its old one.
            let pending4 = try addByLength(old: state.ipv4, new: part4, context, report: &report)
            let pending6 = try addByLength(old: state.ipv6, new: part6, context, report: &report)
            state.ipv4.main = try apply(old: state.ipv4.main, new: part4.main, socket: state.socket,
                                        timeout: timeoutMilliseconds, userdata: userdata, reassert: reassert, report: &report)
            state.ipv6.main = try apply(old: state.ipv6.main, new: part6.main, socket: state.socket,
                                        timeout: timeoutMilliseconds, userdata: userdata, reassert: reassert, report: &report)
            try finishByLength(&state.ipv4, pending4, context, report: &report)
            try finishByLength(&state.ipv6, pending6, context, report: &report)
            report.duration = ContinuousClock.now - started
            state.lastReport = report
            return report
        }
    }

    /// The ranges now loaded (as slipsd sent them), per family: for tests and the status line.
    public var loadedCounts: (ipv4: Int, ipv6: Int) {
        state.withLock { ($0.ipv4.count, $0.ipv6.count) }
    }

    /// The per-prefix-length sets slipsd keeps in the kernel now (`feedp28_4`, …), sorted.
    public var prefixSetNames: [String] {
        state.withLock { state in
            (state.ipv4.sets.map { BlockerLayout.FeedPrefixSet(family: .ipv4, length: $0) }
             + state.ipv6.sets.map { BlockerLayout.FeedPrefixSet(family: .ipv6, length: $0) }).sorted().map(\.name)
        }
    }

    /// Dumps the feed sets and the rule counters (on demand; never on the update path).
    /// - Throws: `BlockerError` (ENOENT when the table does not exist).
    public func inventory() throws -> FeedInventory {
        try state.withLock { state in try Self.inventory(table: tableName, socket: state.socket) }
    }

    /// The report of the last update.
    public var lastReport: FeedUpdateReport? {
        state.withLock { $0.lastReport }
    }

    private static func index(of name: String, in state: inout State) -> UInt32 {
        if let known = state.feedIndex[name] { return known }
        let index = UInt32(state.userdata.count)
        state.feedIndex[name] = index
        state.userdata.append(ElementUserData.encode(reason: name, alertID: "", limit: 64))
        return index
    }

    /// Appends `ranges` to `transaction`: single addresses to the family's host set (hash), the others to its
    /// interval set. Deleting when `timeout` is nil.
    private func append<Key: FeedKey>(_ ranges: [AddressRange<Key>], timeout: UInt64?, userdata: [[UInt8]],
                                      to transaction: NftTransaction) -> (elements: Int, messages: Int) {
        guard !ranges.isEmpty else { return (0, 0) }
        let hosts = ranges.filter { $0.first == $0.last }
        let spans = hosts.count == ranges.count ? [] : ranges.filter { $0.first != $0.last }
        var elements = 0, messages = 0
        for (list, isHosts) in [(hosts, true), (spans, false)] where !list.isEmpty {
            let sent = FeedSetMessages.append(list[...], table: tableName,
                                              set: BlockerLayout.feedSet(for: Key.family, hosts: isHosts),
                                              interval: !isHosts, timeoutMilliseconds: timeout, userdata: userdata,
                                              to: transaction)
            elements += sent.elements; messages += sent.messages
        }
        return (elements, messages)
    }

    /// Sends the difference between `old` and `new` for one family; returns what is now loaded.
    private func apply<Key: FeedKey>(old: [AddressRange<Key>], new: [AddressRange<Key>],
                                     socket: NetlinkSocket, timeout: UInt64, userdata: [[UInt8]], reassert: Bool,
                                     report: inout FeedUpdateReport) throws -> [AddressRange<Key>] {
        let diff = RangeDiff(old: old, new: new)
        var loaded = diff.kept
        let family = Key.family == .ipv4 ? "IPv4" : "IPv6"
        for chunk in diff.chunks(maximumRanges: rangesPerTransaction) {
            let transaction = NftTransaction("updating the \(family) feed sets of table inet \(tableName)")
            var elements = 0, messages = 0
            let deleted = append(chunk.removed, timeout: nil, userdata: userdata, to: transaction)
            let added = append(chunk.added, timeout: timeout, userdata: userdata, to: transaction)
            elements = deleted.elements + added.elements
            messages = deleted.messages + added.messages
            let committing = ContinuousClock.now
            let result = try transaction.commit(on: socket, atomic: false)
            report.commitDuration += ContinuousClock.now - committing
            report.transactions += 1
            report.messages += messages
            report.elementsSent += elements
            if let failure = result.firstFailure {
                report.failures.append(failure.description)
                loaded += chunk.removed           // still in the kernel: delete them next time
            } else {
                loaded += chunk.added
                report.added += chunk.added.count
                report.removed += chunk.removed.count
            }
        }
        if reassert, !diff.kept.isEmpty {
            var start = 0
            while start < diff.kept.count {
                let end = min(diff.kept.count, start + rangesPerTransaction)
                let transaction = NftTransaction("re-asserting the timeouts of the \(family) feed sets of table inet \(tableName)")
                let sent = append(Array(diff.kept[start..<end]), timeout: timeout, userdata: userdata, to: transaction)
                let committing = ContinuousClock.now
                let result = try transaction.commit(on: socket, atomic: false)
                report.commitDuration += ContinuousClock.now - committing
                report.transactions += 1
                report.messages += sent.messages
                report.elementsSent += sent.elements
                if let failure = result.firstFailure { report.failures.append(failure.description) }
                else { report.reasserted += end - start }
                start = end
            }
        }
        loaded.sort { $0.first < $1.first }
        return loaded
    }
}
