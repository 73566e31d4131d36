import NetCore
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
internal import CNftnl

/// Installs (and removes) the rules that send traffic to NFQUEUE queues `first...last`, with bypass (unless
/// `Configuration.bypass` is false, for fail-closed operation): when no
/// process is bound to a queue the kernel lets the packets pass (fail-open while slipsd is down).
///
/// Two ways, tried in this order:
/// 1. `.nftQueue`: table `inet slipsd_steer`, base chain `forward` (hook forward, priority 0 — after the
///    blocker's priority −10 drop, so blocked hosts never reach user space) with `counter queue … bypass`.
///    Needs the kernel's nft_queue; kernels without it (as on the development VM) answer ENOENT.
/// 2. `.xtablesCompat`: the xtables NFQUEUE target through nft_compat, exactly as iptables-nft writes it, in
///    tables `ip slipsd_steer` and `ip6 slipsd_steer` (nft_compat works per family): `counter`, then target
///    `NFQUEUE` revision 3 with `struct xt_NFQ_info_v3 { queuenum, queues_total, flags = NFQ_FLAG_BYPASS }`.
///
/// With `steerInput`, a chain on the input hook (priority 0) queues traffic for the gateway itself too,
/// loopback excepted. With several queues the kernel spreads flows by a symmetric hash of the addresses, so
/// both directions of a flow reach the same queue; `cpuFanout` chooses the queue by CPU instead.
///
/// Every call needs CAP_NET_ADMIN in the calling thread (removal works after the privilege drop). Thread-safe.
public final class QueueSteering: Sendable {
    /// Which mechanism the rules use.
    public enum Path: String, Sendable, Equatable {
        /// The native nft `queue` expression (module nft_queue).
        case nftQueue
        /// The xtables NFQUEUE target through nft_compat (iptables-nft's way).
        case xtablesCompat
    }

    /// What to steer where.
    public struct Configuration: Sendable, Equatable {
        /// The queue numbers; one queue when the range has one element.
        public var queues: ClosedRange<UInt16>
        /// Also steer traffic addressed to the gateway itself (input hook), except from loopback.
        public var steerInput: Bool
        /// Pick the queue by CPU instead of by flow hash (`NFQ_FLAG_CPU_FANOUT`); only for several queues.
        public var cpuFanout: Bool
        /// Table name, used for the `inet` table or the `ip`/`ip6` pair.
        public var tableName: String
        /// Name of the forward chain.
        public var forwardChainName: String
        /// Name of the input chain.
        public var inputChainName: String
        /// Chain priority (0: after the blocker's −10 and after conntrack).
        public var priority: Int32
        /// Force one path instead of trying nft_queue first (nil: automatic).
        public var forcedPath: Path?
        /// Let traffic pass when no process is bound to the queue (fail-open, the default). False for
        /// `--fail-closed`: with the daemon gone, steered traffic is dropped.
        public var bypass: Bool

        /// Creates a configuration; see the properties.
        public init(queues: ClosedRange<UInt16> = 0...0, steerInput: Bool = false, cpuFanout: Bool = false,
                    tableName: String = "slipsd_steer", forwardChainName: String = "forward",
                    inputChainName: String = "input", priority: Int32 = 0, forcedPath: Path? = nil,
                    bypass: Bool = true) {
            self.queues = queues
            self.steerInput = steerInput
            self.cpuFanout = cpuFanout
            self.tableName = tableName
            self.forwardChainName = forwardChainName
            self.inputChainName = inputChainName
            self.priority = priority
            self.forcedPath = forcedPath
            self.bypass = bypass
        }
    }

    /// The configuration in use.
    public let configuration: Configuration
    private let state: Mutex<State>

    private struct State {
        var socket: NetlinkSocket
        var installed: Path?
    }

    /// Opens the netlink socket (in the calling thread's network namespace); installs nothing yet.
    /// - Throws: `BlockerError` when the socket cannot be opened.
    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        state = Mutex(State(socket: try BlockerError.mapping { try NetlinkSocket(sendBufferBytes: 1 << 20, receiveBufferBytes: 1 << 20) },
                            installed: nil))
    }

    /// The path currently installed by this object, if any.
    public var installedPath: Path? { state.withLock { $0.installed } }

    /// Installs the steering rules, replacing any left by an earlier run (same table names), atomically per
    /// path. Tries nft_queue first, falls back to nft_compat when the kernel lacks the `queue` expression.
    /// - Returns: the path that worked.
    /// - Throws: `BlockerError` from the last path tried.
    @discardableResult
    public func install() throws -> Path {
        try state.withLock { state in
            let paths: [Path] = configuration.forcedPath.map { [$0] } ?? [.nftQueue, .xtablesCompat]
            var lastError: BlockerError?
            for path in paths {
                let transaction = NftTransaction("installing NFQUEUE steering (\(path.rawValue))")
                switch path {
                case .nftQueue: appendNftQueue(to: transaction)
                case .xtablesCompat: appendCompat(to: transaction)
                }
                let report = try transaction.commit(on: state.socket, atomic: true)
                if let failure = report.firstFailure {
                    lastError = failure
                    // Only a missing expression/extension justifies the fallback.
                    let missing = report.outcomes.contains {
                        if case .failed(let code, _) = $0 { return code == ENOENT || code == EOPNOTSUPP }
                        return false
                    }
                    if missing { continue }
                    throw failure
                }
                // Remove the other path's leftovers from an earlier run on a different kernel.
                try removeTables(of: path == .nftQueue ? .xtablesCompat : .nftQueue, socket: state.socket)
                state.installed = path
                return path
            }
            throw lastError ?? BlockerError(operation: "installing NFQUEUE steering", reason: "no path to try")
        }
    }

    /// Deletes the steering tables of both paths (absent tables are fine). Call at exit; works with only
    /// CAP_NET_ADMIN.
    /// - Throws: `BlockerError` for failures other than ENOENT.
    public func remove() throws {
        try state.withLock { state in
            try removeTables(of: .nftQueue, socket: state.socket)
            try removeTables(of: .xtablesCompat, socket: state.socket)
            state.installed = nil
        }
    }

    /// The families whose tables a path uses.
    private func families(of path: Path) -> [NftMessages.Family] {
        path == .nftQueue ? [.inet] : [.ip, .ip6]
    }

    /// Deletes the tables of `path`, one transaction each so that a missing one does not stop the other.
    private func removeTables(of path: Path, socket: NetlinkSocket) throws {
        for family in families(of: path) {
            let transaction = NftTransaction("removing NFQUEUE steering table \(family.name) \(configuration.tableName)")
            NftMessages.table(family, configuration.tableName, delete: true, to: transaction)
            let report = try transaction.commit(on: socket, atomic: true)
            if case .failed(let code, _) = report.outcomes[0], code == ENOENT { continue }
            try report.throwIfFailed()
        }
    }

    /// Creates `family tableName` from scratch: create-if-missing, delete, create again (an old table of an
    /// earlier run, with other chains or queue numbers, disappears in the same atomic batch).
    private func appendFreshTable(_ family: NftMessages.Family, to transaction: NftTransaction) {
        NftMessages.table(family, configuration.tableName, to: transaction)
        NftMessages.table(family, configuration.tableName, delete: true, to: transaction)
        NftMessages.table(family, configuration.tableName, to: transaction)
    }

    /// The (chain name, hook, exclude loopback) pairs to install.
    private var chains: [(name: String, hook: UInt32, excludeLoopback: Bool)] {
        var result = [(configuration.forwardChainName, UInt32(NF_INET_FORWARD.rawValue), false)]
        if configuration.steerInput {
            result.append((configuration.inputChainName, UInt32(NF_INET_LOCAL_IN.rawValue), true))
        }
        return result
    }

    /// `iifname != "lo"`: meta load of the input interface name and a 16-byte comparison.
    private var notLoopback: [NftExpression] {
        var name = Array("lo".utf8)
        name += [UInt8](repeating: 0, count: 16 - name.count)
        return [.metaLoad(key: UInt32(NFT_META_IIFNAME.rawValue), register: NftExpression.register1),
                .compare(register: NftExpression.register1, op: UInt32(NFT_CMP_NEQ.rawValue), data: name)]
    }

    /// First queue and number of queues.
    private var queueSpan: (first: UInt16, total: UInt16) {
        (configuration.queues.lowerBound,
         UInt16(configuration.queues.upperBound - configuration.queues.lowerBound) + 1)
    }

    private var summary: String {
        let (first, total) = queueSpan
        let queues = total == 1 ? "\(first)" : "\(first)-\(first + total - 1)"
        return "queue num \(queues)" + (configuration.bypass ? " bypass" : "")
            + (configuration.cpuFanout && total > 1 ? " fanout" : "")
    }

    private func appendNftQueue(to transaction: NftTransaction) {
        let (first, total) = queueSpan
        var flags = configuration.bypass ? UInt16(NFT_QUEUE_FLAG_BYPASS) : 0
        if configuration.cpuFanout, total > 1 { flags |= UInt16(NFT_QUEUE_FLAG_CPU_FANOUT) }
        appendFreshTable(.inet, to: transaction)
        for chain in chains {
            NftMessages.baseChain(.inet, table: configuration.tableName, name: chain.name, hook: chain.hook,
                                  priority: configuration.priority, to: transaction)
            let expressions = (chain.excludeLoopback ? notLoopback : [])
                + [.counter, .queue(first: first, total: total, flags: flags)]
            NftMessages.rule(.inet, table: configuration.tableName, chain: chain.name, expressions: expressions,
                             summary: "counter \(summary)", to: transaction)
        }
    }

    private func appendCompat(to transaction: NftTransaction) {
        let target = NftExpression.xtTarget(name: "NFQUEUE", revision: 3, info: QueueSteering.nfqueueInfo(configuration))
        for family in [NftMessages.Family.ip, .ip6] {
            appendFreshTable(family, to: transaction)
            for chain in chains {
                NftMessages.baseChain(family, table: configuration.tableName, name: chain.name, hook: chain.hook,
                                      priority: configuration.priority, to: transaction)
                let expressions = (chain.excludeLoopback ? notLoopback : []) + [.counter, target]
                NftMessages.rule(family, table: configuration.tableName, chain: chain.name,
                                 expressions: expressions, summary: "counter xt target NFQUEUE (\(summary))",
                                 to: transaction)
            }
        }
    }

    /// `struct xt_NFQ_info_v3` in host byte order, padded to XT_ALIGN as nft_compat checks.
    static func nfqueueInfo(_ configuration: Configuration) -> [UInt8] {
        let first = configuration.queues.lowerBound
        let total = UInt16(configuration.queues.upperBound - configuration.queues.lowerBound) + 1
        var info = xt_NFQ_info_v3()
        info.queuenum = first
        info.queues_total = total
        info.flags = configuration.bypass ? UInt16(NFQ_FLAG_BYPASS) : 0
        if configuration.cpuFanout, total > 1 { info.flags |= UInt16(NFQ_FLAG_CPU_FANOUT) }
        var bytes = withUnsafeBytes(of: &info) { Array($0) }
        bytes += [UInt8](repeating: 0, count: cnftnl_xt_align(bytes.count) - bytes.count)
        return bytes
    }
}
