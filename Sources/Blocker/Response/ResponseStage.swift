import Logging
import NetCore

/// The response stage: everything between "an alert says block this host" and the kernel dropping its packets.
///
/// Per request, in order: the blocking policy gives the duration (Slips' "until the end of the next window",
/// a fixed time, escalation for repeat offenders); a host in its unblock grace period is skipped; a host in the
/// stage's live allowlist (`blocking.allowlist`, whitelisted hosts: replaceable at run time by `apply`) or
/// protected by the blocker (self-protection: the gateway's addresses, routes, resolvers) is refused with the reason;
/// the host enters the in-process `DropSet` first (packets already queued get a drop verdict at once) with the
/// same deadline as its kernel element; then the nftables element is added with its timeout; then, with a
/// `journal`, the block is recorded in the state file so that it survives a reboot (`BlockJournal`).
///
/// Confined to the thread that calls `execute` (the detection thread, created after the privilege drop so it
/// holds CAP_NET_ADMIN, which nfnetlink checks on the sending thread); not `Sendable`. Other threads reach the
/// shared parts through `controls`.
public final class ResponseStage {
    /// The kernel side.
    public var blocker: NftablesBlocker { controls.blocker }
    /// What the packet threads drop.
    public var drops: DropSet { controls.drops }
    /// Hosts recently unblocked by an operator.
    public var grace: UnblockGrace { controls.grace }
    /// Writes blocks to the state file that keeps them across reboots, if any.
    public var journal: BlockJournalWriter? { controls.journal }
    /// The parts other threads (the control socket) use.
    public let controls: BlockControls
    /// The duration policy (replaced by `apply`).
    public private(set) var policy: BlockingPolicy
    /// Hosts never blocked besides the blocker's own protection, each with the reason given (replaced by `apply`).
    public private(set) var allowlist: [AllowedRange]
    private let logger = Logger(label: "slipsd.block")
    private let report: (String) -> Void
    private var blocksPerAddress: [IPAddress: Int] = [:]

    /// - Parameters:
    ///   - report: also receives every decision line (e.g. for `slipsd.log`).
    ///   - allowlist: hosts never blocked, checked before the blocker's self-protection.
    ///   - journal: where blocks are recorded to survive a reboot (nil: only in the kernel).
    public init(blocker: NftablesBlocker, drops: DropSet, grace: UnblockGrace, policy: BlockingPolicy,
                allowlist: [AllowedRange] = [], journal: BlockJournal? = nil,
                report: @escaping (String) -> Void = { _ in }) {
        self.controls = BlockControls(blocker: blocker, drops: drops, grace: grace,
                                      journal: journal.map(BlockJournalWriter.init))
        self.policy = policy; self.allowlist = allowlist; self.report = report
    }

    /// Replaces the policy and the allowlist (a configuration reload), from now on. Blocks already in place keep
    /// their deadlines. Call on the stage's thread.
    public func apply(policy: BlockingPolicy, allowlist: [AllowedRange]) {
        self.policy = policy
        self.allowlist = allowlist
    }

    /// A range of hosts the stage never blocks, and why (e.g. "is in allowlist 10.0.0.0/8").
    public struct AllowedRange: Sendable, Hashable {
        /// The hosts.
        public var range: CIDR
        /// A phrase that follows the address in the log line.
        public var reason: String

        /// Creates a range with its reason.
        public init(range: CIDR, reason: String) { self.range = range; self.reason = reason }
    }

    /// Loads the kernel's current elements into the drop set (start-up: existing blocks adopted).
    /// - Throws: `BlockerError` when the sets cannot be listed.
    public func adoptKernelBlocks() throws {
        adoptKernelBlocks(try blocker.list())
    }

    /// Loads `elements` (a listing of the kernel's sets) into the drop set, keeping what the stage blocked since.
    public func adoptKernelBlocks(_ elements: [BlockedElement]) {
        let now = WallClock.now()
        var entries: [IPAddress: PacketTime] = [:]
        for element in elements where element.scope == .full {
            let remaining = element.remaining ?? element.timeout ?? .seconds(7 * 24 * 3600)
            entries[element.address] = now + remaining
        }
        for (address, deadline) in drops.active(now: now) { entries[address] = max(entries[address] ?? deadline, deadline) }
        drops.replace(with: entries)
    }

    /// Blocks the request's host (see the type's order of checks).
    public func execute(_ request: BlockRequest) {
        let started = MonotonicClock.now()
        let ip = request.address
        if grace.isInGrace(ip) {
            note("not blocking \(ip): unblocked by an operator less than the grace period ago")
            return
        }
        if let reason = refusalReason(ip) {
            note("refusing to block \(ip): it \(reason)")
            return
        }
        let previous = blocksPerAddress[ip, default: 0]
        let seconds = policy.seconds(alertTime: request.alertTime, windowEnd: request.windowEnd,
                                     windowWidthMicroseconds: request.windowWidthMicroseconds,
                                     previousBlocks: previous)
        let scope = policy.scope(for: request)
        // In-process drops mirror full blocks only: a new-connections block is the kernel's (ct state new).
        if scope == .full { drops.insert(ip, until: WallClock.now() + .seconds(seconds)) }
        let entry = BlockEntry(address: ip, timeout: .seconds(seconds), reason: request.reason, alertID: request.alertID,
                               scope: scope)
        do {
            let outcome = try blocker.block([entry]).first
            let micros = Int((MonotonicClock.now() - started) * 1_000_000)
            switch outcome?.status {
            case .blocked?:
                blocksPerAddress[ip] = previous + 1
                let what = scope == .full ? "blocked" : "blocked new connections from"
                note("\(what) \(ip) for \(seconds) s (alert \(request.alertID), \(request.reason)\(request.verified ? ", verified" : ", unverified: no handshake proves the address sent it")); alert to kernel element \(micros) µs")
                journalRecord(entry)
            case .refused(let why)?:
                drops.remove(ip)
                note("refusing to block \(ip): \(why)")
            case .failed(let why)?:
                note("blocking \(ip) failed: \(why); packets are still dropped in process until the deadline")
            case nil:
                note("blocking \(ip): no outcome")
            }
        } catch {
            note("blocking \(ip) failed: \(error); packets are still dropped in process until the deadline")
        }
    }

    /// Why `ip` must never be blocked — the allowlist (`blocking.allowlist`, the whitelist), then the blocker's
    /// self-protection — or nil when it may be. New blocks and blocks restored from the state file both ask.
    public func refusalReason(_ ip: IPAddress) -> String? {
        if let allowed = allowlist.first(where: { $0.range.contains(ip) }) { return allowed.reason }
        return blocker.protection?.reasonIfProtected(ip)
    }

    /// Queues a kernel block for the state file (after the kernel has it; written off this thread).
    private func journalRecord(_ entry: BlockEntry) {
        journal?.record(BlockJournalEntry(entry, origin: .alert))
    }

    func note(_ line: String) {
        logger.notice("\(line)")
        report(line)
    }
}

/// The response stage's shared parts, usable from any thread (the control socket's): lifting blocks and
/// reading what is dropped.
public struct BlockControls: Sendable {
    /// The kernel side.
    public let blocker: NftablesBlocker
    /// What the packet threads drop.
    public let drops: DropSet
    /// Hosts recently unblocked by an operator.
    public let grace: UnblockGrace
    /// Writes to the state file that keeps blocks across reboots, if any.
    public let journal: BlockJournalWriter?

    /// Groups the parts.
    public init(blocker: NftablesBlocker, drops: DropSet, grace: UnblockGrace, journal: BlockJournalWriter? = nil) {
        self.blocker = blocker; self.drops = drops; self.grace = grace; self.journal = journal
    }

    /// Lifts a block: the grace period starts, the drop-set entry, the kernel element and the state-file entry go
    /// (the file is written off this thread; a failure is logged there).
    /// - Returns: true when a kernel element was removed.
    /// - Throws: `BlockerError` when the kernel refused.
    @discardableResult
    public func unblock(_ address: IPAddress) throws -> Bool {
        grace.start(address)
        drops.remove(address)
        journal?.remove(address)
        return try blocker.unblock(address)
    }
}
