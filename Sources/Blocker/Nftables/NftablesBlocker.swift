import NetCore
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Blocks addresses in the kernel through nftables, speaking netlink directly (libnftnl + libmnl; `nft` is never
/// run): table `inet slipsd`, sets `blocked4`/`blocked6` with per-element timeouts, and drop rules in both
/// directions (see `BlockerLayout`).
///
/// **Privileges.** nfnetlink checks CAP_NET_ADMIN of the *thread that sends* each message. Every method must be
/// called from a thread that holds CAP_NET_ADMIN — after slipsd's privilege drop, that is the main thread or a
/// thread created after the drop, not a Dispatch or Swift-concurrency pool thread. The netlink socket is opened
/// in `init` and belongs to the network namespace of the creating thread.
///
/// **Threads.** Calls are serialised by an internal lock; the type is `Sendable`.
///
/// **Re-blocking.** An element is added with `NLM_F_CREATE` and without `NLM_F_EXCL`. Adding an element that
/// already exists therefore succeeds; on kernels that support element timeout updates (measured here on 6.18)
/// the new timeout replaces the old one and the expiry restarts, while the stored reason and alert id stay
/// those of the first block. There is no delete+add window in which the address would pass.
public final class NftablesBlocker: Sendable {
    /// Names and limits.
    public struct Configuration: Sendable, Equatable {
        /// Table name (family `inet`). Tests use their own name.
        public var tableName: String
        /// IPv4 set name.
        public var ipv4SetName: String
        /// IPv6 set name.
        public var ipv6SetName: String
        /// Most bytes of userdata (reason + alert id) stored per element; at most 255.
        public var userdataLimit: Int
        /// Requested netlink send buffer in bytes (raised with SO_SNDBUFFORCE); bounds one batch.
        public var sendBufferBytes: Int
        /// Most IPv4 elements per netlink message (the 16-bit attribute length allows about 2,340 without
        /// userdata); messages are also cut by size when userdata makes elements larger.
        public var ipv4ElementsPerMessage: Int
        /// Most IPv6 elements per message (about 1,638 fit without userdata).
        public var ipv6ElementsPerMessage: Int
        /// Drop, in prerouting, sources that would not be routed back through the interface they arrived on
        /// (`fib saddr . iif oif missing drop`; `blocking.reverse_path_check`). On by default.
        public var reversePathCheck: Bool
        /// Create the feed blocklist sets `feed4`/`feed6` and their drop rules (`FeedBlocklist`). Off by default.
        public var feedBlocklists: Bool = false

        /// The defaults: table `slipsd`, sets `blocked4`/`blocked6`, 200 bytes of userdata, 8 MB send buffer,
        /// 2,000 / 1,400 elements per message.
        public init(tableName: String = "slipsd", ipv4SetName: String = "blocked4",
                    ipv6SetName: String = "blocked6", userdataLimit: Int = 200, sendBufferBytes: Int = 8 << 20,
                    ipv4ElementsPerMessage: Int = 2_000, ipv6ElementsPerMessage: Int = 1_400,
                    reversePathCheck: Bool = true, feedBlocklists: Bool = false) {
            self.reversePathCheck = reversePathCheck
            self.feedBlocklists = feedBlocklists
            self.tableName = tableName
            self.ipv4SetName = ipv4SetName
            self.ipv6SetName = ipv6SetName
            self.userdataLimit = min(max(userdataLimit, 0), 255)
            self.sendBufferBytes = sendBufferBytes
            self.ipv4ElementsPerMessage = max(1, ipv4ElementsPerMessage)
            self.ipv6ElementsPerMessage = max(1, ipv6ElementsPerMessage)
        }
    }

    /// What `setUp` found.
    public struct SetUpResult: Sendable, Equatable {
        /// True when the table already existed: its sets and their elements were kept (adopted).
        public var adopted: Bool
        /// Wall time of the set-up transaction.
        public var duration: Duration
    }

    /// Byte budget for one message's element list: below the 65,535 of a netlink attribute, with margin.
    static let elementListBudget = 60_000

    /// This blocker's element-list budget: `elementListBudget`, or less when the send buffer is smaller.
    let messageBudget: Int

    /// The configuration in use.
    public let configuration: Configuration
    /// The guard consulted before every block, if any.
    public let protection: SelfProtection?
    let layout: BlockerLayout
    let state: Mutex<State>

    struct State {
        var socket: NetlinkSocket
        var lastBlockTiming: BlockTiming?
    }

    /// Opens the netlink socket. Does not touch the ruleset (call `setUp`).
    /// - Parameters:
    ///   - configuration: names and limits.
    ///   - protection: addresses never to block; `block` refuses them with the reason.
    /// - Throws: `BlockerError` when the socket cannot be opened.
    public init(configuration: Configuration = Configuration(), protection: SelfProtection? = nil) throws {
        self.configuration = configuration
        self.protection = protection
        layout = BlockerLayout(table: configuration.tableName, ipv4Set: configuration.ipv4SetName,
                               ipv6Set: configuration.ipv6SetName, reversePathCheck: configuration.reversePathCheck,
                               feedSets: configuration.feedBlocklists)
        let socket = try BlockerError.mapping { try NetlinkSocket(sendBufferBytes: configuration.sendBufferBytes) }
        messageBudget = max(1_024, min(NftablesBlocker.elementListBudget, socket.sendLimit - 4_096))
        state = Mutex(State(socket: socket, lastBlockTiming: nil))
    }

    /// Creates — or adopts — table, sets, chains and rules in one atomic transaction. Idempotent: existing sets
    /// and their elements are kept (a restart of slipsd unblocks nobody); the chains are flushed and their rules
    /// added again in the same transaction.
    /// - Throws: `BlockerError` naming the rejected message (e.g. EEXIST for a set that exists with another
    ///   type; EPERM when the calling thread lacks CAP_NET_ADMIN).
    @discardableResult
    public func setUp() throws -> SetUpResult {
        try state.withLock { state in
            let started = ContinuousClock.now
            let existed = try NftQuery.tableExists(.inet, layout.table, on: state.socket)
            let transaction = NftTransaction("setting up table inet \(layout.table)")
            var layout = self.layout
            if existed, layout.feedSets {
                // The chains are flushed below: keep the drop rules of the per-prefix-length feed sets a running
                // FeedBlocklist made, or their entries would pass.
                layout.feedPrefixSets = try Set(FeedRuleCounters.rules(table: layout.table, on: state.socket)
                    .compactMap { BlockerLayout.FeedPrefixSet(name: $0.set) }).sorted()
            }
            layout.appendSetUp(to: transaction)
            let report = try transaction.commit(on: state.socket, atomic: true)
            if var failure = report.firstFailure {
                if failure.errno == EEXIST, failure.operation.hasPrefix("creating set") {
                    failure.reason += " — a set of that name exists with another type or flags; "
                        + "delete table inet \(layout.table) to let slipsd create it again"
                }
                throw failure
            }
            return SetUpResult(adopted: existed, duration: ContinuousClock.now - started)
        }
    }

    /// Adds the entries to the blocked sets, many per message and many messages per batch.
    ///
    /// Entries whose address `protection` covers are refused with its reason; entries with a timeout under
    /// 1 ms are refused. A repeated address is sent once (its last entry wins). IPv4 and IPv6 go to their own
    /// sets; messages are cut at `ipv4ElementsPerMessage`/`ipv6ElementsPerMessage` or the 64 KB attribute limit,
    /// batches at the send buffer. Each batch is atomic; a rejected batch marks its entries `.failed`.
    /// - Returns: one outcome per entry, in order.
    /// - Throws: `BlockerError` when nothing could be committed at all (e.g. EPERM, missing table) or when the
    ///   socket fails.
    public func block(_ entries: [BlockEntry]) throws -> [BlockOutcome] {
        let started = ContinuousClock.now
        var outcomes = entries.map { BlockOutcome(address: $0.address, status: .refused("not processed"), latency: nil) }
        var lastIndex: [IPAddress: Int] = [:]
        var superseded: [(index: Int, by: Int)] = []
        for (index, entry) in entries.enumerated() {
            if entry.timeout < .milliseconds(1) {
                outcomes[index].status = .refused("timeout \(entry.timeout) is shorter than 1 ms")
            } else if let why = protection?.reasonIfProtected(entry.address) {
                outcomes[index].status = .refused("\(entry.address) \(why)")
            } else {
                if let earlier = lastIndex[entry.address] { superseded.append((earlier, index)) }
                lastIndex[entry.address] = index
            }
        }
        let chosen = lastIndex.values.sorted()
        let messages = elementMessages(entries: entries, chosen: chosen)
        return try state.withLock { state in
            var batches = 0
            var commitDuration = Duration.zero
            let transaction = NftTransaction("blocking \(chosen.count) address(es) in table inet \(layout.table)")
            for message in messages {
                NftMessages.elements(.inet, table: layout.table,
                                     set: layout.setName(for: message.family, scope: message.scope),
                                     message.elements, delete: false, to: transaction)
            }
            if !messages.isEmpty {
                let committing = ContinuousClock.now
                let report = try transaction.commit(on: state.socket, atomic: false)
                commitDuration = ContinuousClock.now - committing
                batches = report.batchCount
                var anyCommitted = false
                for (message, indices) in messages.map(\.entryIndices).enumerated() {
                    let status: BlockOutcome.Status
                    switch report.outcomes[message] {
                    case .committed:
                        status = .blocked
                        anyCommitted = true
                    case .failed(_, let text): status = .failed("\(transaction.messages[message].description): \(text)")
                    case .rolledBack(let cause): status = .failed(cause)
                    }
                    for index in indices {
                        outcomes[index].status = status
                        outcomes[index].latency = report.ackedAfter[message]
                    }
                }
                if !anyCommitted, let failure = report.firstFailure { throw failure }
            }
            // An earlier valid entry for the same address shares the outcome of the entry that was sent.
            for (index, _) in superseded {
                if let sent = lastIndex[entries[index].address] { outcomes[index] = outcomes[sent] }
            }
            state.lastBlockTiming = BlockTiming(entries: entries.count, elementsSent: chosen.count,
                                                messages: messages.count, batches: batches,
                                                duration: ContinuousClock.now - started,
                                                commitDuration: commitDuration)
            return outcomes
        }
    }

    /// The elements of one `NFT_MSG_NEWSETELEM` message and the entries they came from.
    struct ElementMessage: Sendable {
        var family: IPAddress.Family
        var scope: BlockScope = .full
        var elements: [NftMessages.Element]
        var entryIndices: [Int]
    }

    /// Cuts the chosen entries into messages: per family, at most `ipv4ElementsPerMessage` /
    /// `ipv6ElementsPerMessage` elements and at most `elementListBudget` bytes of element list each.
    func elementMessages(entries: [BlockEntry], chosen: [Int]) -> [ElementMessage] {
        var messages: [ElementMessage] = []
        for scope in BlockScope.allCases {
        for family in [IPAddress.Family.ipv4, .ipv6] {
            let perMessage = family == .ipv4 ? configuration.ipv4ElementsPerMessage
                                             : configuration.ipv6ElementsPerMessage
            var current = ElementMessage(family: family, scope: scope, elements: [], entryIndices: [])
            var bytes = 0
            for index in chosen where entries[index].address.family == family && entries[index].scope == scope {
                let entry = entries[index]
                let element = NftMessages.Element(
                    key: entry.address.networkBytes,
                    timeoutMilliseconds: NftablesBlocker.milliseconds(entry.timeout),
                    userdata: ElementUserData.encode(reason: entry.reason, alertID: entry.alertID,
                                                     limit: configuration.userdataLimit))
                if current.elements.count >= perMessage
                    || bytes + element.encodedSize > messageBudget {
                    messages.append(current)
                    current = ElementMessage(family: family, scope: scope, elements: [], entryIndices: [])
                    bytes = 0
                }
                current.elements.append(element)
                current.entryIndices.append(index)
                bytes += element.encodedSize
            }
            if !current.elements.isEmpty { messages.append(current) }
        }
        }
        return messages
    }

    /// Removes one address from its blocked sets, full and new-connections (`NFT_MSG_DELSETELEM`).
    /// - Returns: true when it was blocked, false when it was not (the kernel's ENOENT: "not blocked").
    /// - Throws: `BlockerError` for any other failure (EPERM, missing table: errno ENOENT on the table is
    ///   reported the same way as a missing element, i.e. false).
    @discardableResult
    public func unblock(_ address: IPAddress) throws -> Bool {
        try state.withLock { state in
            var removed = false
            for scope in BlockScope.allCases {
                let transaction = NftTransaction("unblocking \(address) in table inet \(layout.table)")
                NftMessages.elements(.inet, table: layout.table, set: layout.setName(for: address.family, scope: scope),
                                     [NftMessages.Element(key: address.networkBytes, timeoutMilliseconds: nil,
                                                          userdata: [])],
                                     delete: true, to: transaction)
                let report = try transaction.commit(on: state.socket, atomic: true)
                switch report.outcomes[0] {
                case .committed: removed = true
                case .failed(let code, _) where code == ENOENT: break
                default: try report.throwIfFailed()
                }
            }
            return removed
        }
    }

    /// Dumps the four sets (`NFT_MSG_GETSETELEM`, `NLM_F_DUMP`) — on demand only; the blocking path never dumps.
    /// - Returns: the elements sorted by address; empty when the table does not exist.
    /// - Throws: `BlockerError` (EPERM without CAP_NET_ADMIN).
    public func list() throws -> [BlockedElement] {
        try state.withLock { state in try Self.elements(layout, on: state.socket) }
    }

    /// `list()` on a netlink socket of its own, without the blocker's lock: a dump of a million elements takes
    /// seconds, during which blocks and unblocks go on. Call on the thread that should open the socket (it
    /// needs CAP_NET_ADMIN in the blocker's network namespace).
    public func listOnOwnSocket() throws -> [BlockedElement] {
        let socket = try BlockerError.mapping { try NetlinkSocket(sendBufferBytes: configuration.sendBufferBytes) }
        return try Self.elements(layout, on: socket)
    }

    /// Hands every blocked element to `body` as the kernel's dump delivers it, on a netlink socket of its own
    /// (like `listOnOwnSocket()`), without collecting them: `--list-blocked` of a million entries in the memory
    /// of one datagram. Order: set by set (full, then partial scopes; IPv4 then IPv6), within a set the kernel's.
    /// - Returns: true when a dump was interrupted (a set changed while it was read): entries may be missing or
    ///   repeated. A set that changes between two datagrams can shift the kernel's walk without that flag, so
    ///   one pass is a snapshot that may miss elements of a changing set; `BlockListingPasses` repeats it.
    /// - Throws: `BlockerError`; what `body` throws (the dump is stopped).
    public func forEachBlocked(_ body: (BlockedElement) throws -> Void) throws -> Bool {
        let socket = try BlockerError.mapping { try NetlinkSocket(sendBufferBytes: configuration.sendBufferBytes) }
        return try Self.forEachElement(layout, on: socket, body)
    }

    /// Dumps until the passes agree (`BlockListingPasses`: a dump racing the set's changes misses elements).
    private static func elements(_ layout: BlockerLayout, on socket: NetlinkSocket) throws -> [BlockedElement] {
        var passes = BlockListingPasses()
        repeat {
            passes.beginPass(now: MonotonicClock.now())
            let interrupted = try forEachElement(layout, on: socket) { passes.add($0) }
            guard passes.endPass(interrupted: interrupted) else { break }
        } while true
        return passes.elements(now: MonotonicClock.now())
    }

    private static func forEachElement(_ layout: BlockerLayout, on socket: NetlinkSocket,
                                       _ body: (BlockedElement) throws -> Void) throws -> Bool {
        var interrupted = false
        for scope in BlockScope.allCases {
            for family in [IPAddress.Family.ipv4, .ipv6] {
                do {
                    interrupted = try NftQuery.forEachElement(.inet, table: layout.table,
                                                              set: layout.setName(for: family, scope: scope),
                                                              on: socket) { element in
                        guard let address = IPAddress(networkBytes: element.key) else { return }
                        let (reason, alertID) = ElementUserData.decode(element.userdata)
                        try body(BlockedElement(
                            address: address,
                            timeout: element.timeoutMilliseconds.map { .milliseconds(Int64(clamping: $0)) },
                            remaining: element.expirationMilliseconds.map { .milliseconds(Int64(clamping: $0)) },
                            reason: reason, alertID: alertID, scope: scope))
                    } || interrupted
                } catch let error as BlockerError where error.isNotFound {
                    continue
                }
            }
        }
        return interrupted
    }

    /// Deletes the whole table, rules and blocked elements included. For tests and explicit cleanup: the daemon
    /// does not call it at exit (blocks stay in the kernel until they expire).
    /// - Returns: false when the table did not exist.
    /// - Throws: `BlockerError` for other failures.
    @discardableResult
    public func tearDown() throws -> Bool {
        try state.withLock { state in
            let transaction = NftTransaction("deleting table inet \(layout.table)")
            NftMessages.table(.inet, layout.table, delete: true, to: transaction)
            let report = try transaction.commit(on: state.socket, atomic: true)
            if case .failed(let code, _) = report.outcomes[0], code == ENOENT { return false }
            try report.throwIfFailed()
            return true
        }
    }

    /// Timing of the most recent `block` call (nil before the first).
    public var lastBlockTiming: BlockTiming? {
        state.withLock { $0.lastBlockTiming }
    }

    /// A duration in whole milliseconds (at least 1), as nftables timeouts are sent.
    static func milliseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        guard !ms.overflow, seconds >= 0 else { return seconds < 0 ? 1 : UInt64.max / 2 }
        return max(1, UInt64(ms.partialValue) + UInt64(attoseconds / 1_000_000_000_000_000))
    }
}
