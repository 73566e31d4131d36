import NetCore
import Records
import Glibc
internal import CMnl
internal import CNetfilterQueue
import Synchronization

/// One NFQUEUE queue on NetCore's `NetlinkSocket` (the netlink socket nftables uses too); `deinit` closes it.
///
/// Setup (`open`) runs on the calling thread: the daemon calls it as root, before dropping privileges and before
/// any packet thread exists. The socket stays in the network namespace where it was opened. Afterwards the packet
/// thread receives and sends verdicts, and the watchdog thread may send verdicts too: concurrent `sendto` calls on
/// one netlink socket are safe in the kernel, and each sender brings its own message buffer. Only the packet
/// thread receives (except during `open`, before threads exist).
final class NFQueueSocket: @unchecked Sendable {
    /// The queue number.
    let queue: UInt16
    /// "NFQUEUE queue N", the object named in errors.
    let object: String
    /// The socket's file descriptor (for `poll`).
    let fd: Int32
    /// `NF_ACCEPT` when fail-open, `NF_DROP` when fail-closed: the verdict for packets nobody inspected.
    let failVerdict: Int32
    /// The netlink socket (`Options.nfqueue`: large receive buffer, `NETLINK_NO_ENOBUFS`).
    private let netlink: NetlinkSocket
    /// Sequence numbers of acknowledged config messages; used only by the thread doing setup or teardown.
    private let nextSequence = Atomic<UInt32>(1)

    /// Netlink message type of a queued packet: `NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET`.
    static let packetMessageType = UInt16(NFNL_SUBSYS_QUEUE << 8) | UInt16(NFQNL_MSG_PACKET.rawValue)
    /// Size of one verdict message (nlmsghdr 16 + nfgenmsg 4 + verdict attribute 12).
    static let verdictMessageSize = 32
    /// A verdict id that covers every packet currently queued when sent as a batch verdict: the kernel compares
    /// ids modulo 2^32 (`nfq_id_after`), so `last + 2^30` is "after" every queued id and before any future one.
    static func releaseAllID(after lastReceived: UInt32) -> UInt32 { lastReceived &+ 0x4000_0000 }

    private init(queue: UInt16, netlink: NetlinkSocket, failOpen: Bool) {
        self.queue = queue
        self.object = "NFQUEUE queue \(queue)"
        self.netlink = netlink
        self.fd = netlink.fd
        self.failVerdict = failOpen ? Int32(NF_ACCEPT) : Int32(NF_DROP)
    }

    deinit { close() }

    /// Closes the socket; the kernel then destroys the queue instance if still bound. Idempotent.
    func close() { netlink.close() }

    // MARK: Setup

    /// Opens a `NETLINK_NETFILTER` socket, binds it with an automatic port id, sizes its receive buffer, sets
    /// `NETLINK_NO_ENOBUFS`, binds `queue` (acknowledged) and configures copy mode, copy range, queue length and
    /// the GSO/FAIL_OPEN flags in one acknowledged message.
    /// - Throws: `CaptureError`; a queue bound by another process gives "already in use by another process".
    static func open(queue: UInt16, configuration: NFQueueConfiguration) throws(CaptureError) -> NFQueueSocket {
        let object = "NFQUEUE queue \(queue)"
        let netlink: NetlinkSocket
        do {
            netlink = try NetlinkSocket(options: .nfqueue(receiveBufferBytes: configuration.receiveBufferSize),
                                        object: object)
        } catch {
            throw CaptureError(error)
        }
        let socket = NFQueueSocket(queue: queue, netlink: netlink, failOpen: configuration.failOpen)
        try socket.bindQueue()
        try socket.configureQueue(configuration)
        return socket
    }

    private func bindQueue() throws(CaptureError) {
        let result = requestConfig { nlh in
            nfq_nlmsg_cfg_put_cmd(nlh, UInt16(AF_INET), UInt8(NFQNL_CFG_CMD_BIND.rawValue))
        }
        switch result {
        case 0:
            return
        case EPERM:
            // EPERM means either "bound by another socket" or "no CAP_NET_ADMIN". The obsolete PF_UNBIND command
            // is a no-op that only passes nfnetlink's capability check: it tells the two apart.
            let probe = requestConfig { nlh in
                nfq_nlmsg_cfg_put_cmd(nlh, UInt16(AF_INET), UInt8(NFQNL_CFG_CMD_PF_UNBIND.rawValue))
            }
            if probe == 0 {
                throw CaptureError(operation: "binding", object: object,
                                   reason: "queue \(queue) is already in use by another process (EPERM)",
                                   errno: EPERM)
            }
            throw CaptureError(operation: "binding", object: object,
                               reason: "permission denied: CAP_NET_ADMIN is needed (EPERM)", errno: EPERM)
        case EBUSY:
            throw CaptureError(operation: "binding", object: object,
                               reason: "queue \(queue) is already in use (bound twice by this process) (EBUSY)",
                               errno: EBUSY)
        default:
            throw CaptureError.system("binding", object: object, errno: result)
        }
    }

    private func configureQueue(_ configuration: NFQueueConfiguration) throws(CaptureError) {
        let mask = UInt32(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN)
        let flags = (configuration.gso ? UInt32(NFQA_CFG_F_GSO) : 0)
            | (configuration.failOpen ? UInt32(NFQA_CFG_F_FAIL_OPEN) : 0)
        let result = requestConfig { nlh in
            nfq_nlmsg_cfg_put_params(nlh, UInt8(NFQNL_COPY_PACKET.rawValue), Int32(configuration.copyRange))
            nfq_nlmsg_cfg_put_qmaxlen(nlh, configuration.maxQueueLength)
            // One FLAGS and one MASK attribute carrying both flags: a second pair would replace the first.
            mnl_attr_put_u32(nlh, UInt16(NFQA_CFG_FLAGS.rawValue), flags.bigEndian)
            mnl_attr_put_u32(nlh, UInt16(NFQA_CFG_MASK.rawValue), mask.bigEndian)
        }
        guard result == 0 else {
            var error = CaptureError.system("configuring (copy packet range \(configuration.copyRange), max length "
                                            + "\(configuration.maxQueueLength), flags GSO=\(configuration.gso) "
                                            + "FAIL_OPEN=\(configuration.failOpen))", object: object, errno: result)
            if result == EOPNOTSUPP { error.reason += ": this kernel lacks NFQA_CFG_F_GSO or NFQA_CFG_F_FAIL_OPEN" }
            throw error
        }
    }

    // MARK: Teardown

    /// Verdicts everything still queued and unbinds, on the calling thread (which needs CAP_NET_ADMIN).
    ///
    /// Fail-open: first sets the queue length to 0, so the kernel accepts new packets itself (FAIL_OPEN on a full
    /// queue) instead of queueing them; then accepts every queued packet; then unbinds — unbinding drops whatever
    /// is still queued, so nothing is left there. Fail-closed: drops every queued packet, then unbinds.
    /// - Parameter lastReceivedID: the last packet id the caller received (0 if none).
    /// - Returns: errors met on the way (the teardown goes on regardless).
    func releaseAllAndUnbind(lastReceivedID: UInt32) -> [CaptureError] {
        var errors: [CaptureError] = []
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.verdictMessageSize, alignment: 16)
        defer { buffer.deallocate() }
        func releaseQueued() {
            let count = appendVerdict(into: buffer, batch: true, id: Self.releaseAllID(after: lastReceivedID),
                                      verdict: failVerdict)
            do {
                try send(buffer, count: count)
            } catch {
                errors.append(error)
            }
        }
        // Verdict what is queued first, so packets that were waiting leave before those the kernel lets through
        // itself once the queue length is 0 (order within a flow is kept as far as the kernel allows); then
        // whatever arrived meanwhile; then unbind.
        releaseQueued()
        if failVerdict == Int32(NF_ACCEPT) {
            let r = requestConfig { nlh in nfq_nlmsg_cfg_put_qmaxlen(nlh, 0) }
            if r != 0 { errors.append(.system("setting max length 0 before unbinding", object: object, errno: r)) }
        }
        releaseQueued()
        let r = requestConfig { nlh in
            nfq_nlmsg_cfg_put_cmd(nlh, UInt16(AF_INET), UInt8(NFQNL_CFG_CMD_UNBIND.rawValue))
        }
        if r != 0 { errors.append(.system("unbinding", object: object, errno: r)) }
        return errors
    }

    // MARK: Messages

    /// Writes one verdict message at `buffer` (which needs `verdictMessageSize` bytes) and returns its length.
    /// `batch`: `NFQNL_MSG_VERDICT_BATCH`, applying to every queued id ≤ `id`; else `NFQNL_MSG_VERDICT` for `id`.
    /// Wraps `nfq_nlmsg_put` and `nfq_nlmsg_verdict_put`.
    @inline(__always)
    func appendVerdict(into buffer: UnsafeMutableRawPointer, batch: Bool, id: UInt32, verdict: Int32) -> Int {
        let type = batch ? NFQNL_MSG_VERDICT_BATCH : NFQNL_MSG_VERDICT
        let nlh = nfq_nlmsg_put(buffer.assumingMemoryBound(to: CChar.self), Int32(type.rawValue), UInt32(queue))!
        nfq_nlmsg_verdict_put(nlh, Int32(bitPattern: id), verdict)
        return Int(nlh.pointee.nlmsg_len)
    }

    /// Sends `count` bytes of netlink messages, retrying `EINTR`.
    /// - Throws: `CaptureError` with the errno (e.g. `ENOBUFS` under memory pressure).
    @inline(__always)
    func send(_ bytes: UnsafeRawPointer, count: Int) throws(CaptureError) {
        do {
            // A literal, not an interpolation: this runs per verdict, and the error is re-wrapped with `object`.
            try netlink.send(bytes, count: count, operation: "sending a verdict")
        } catch {
            throw CaptureError.system("sending a verdict to", object: object, errno: error.errno.rawValue)
        }
    }

    /// Receives one datagram without blocking; see `NetlinkSocket.receiveNonBlocking`.
    @inline(__always)
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> NetlinkSocket.Receive {
        netlink.receiveNonBlocking(into: buffer)
    }

    /// Waits up to `timeoutMilliseconds` for data (`poll`); `true` when readable. 0 checks without waiting.
    func waitReadable(timeoutMilliseconds: Int32) -> Bool { netlink.waitReadable(timeoutMilliseconds: timeoutMilliseconds) }

    /// Packet messages the kernel could not deliver to this socket (`SO_MEMINFO` drops). With
    /// `NETLINK_NO_ENOBUFS` set, this is the only place receive overruns show up.
    func kernelDrops() -> UInt64 { netlink.kernelDrops() }

    // MARK: Acknowledged config requests (setup and teardown only)

    /// Sends one `NFQNL_MSG_CONFIG` message built by `fill`, with `NLM_F_ACK`, and waits up to 2 s for its ack.
    /// Packet messages read meanwhile are verdicted with the fail verdict (nobody inspected them).
    /// - Returns: 0 on success, the positive errno from the kernel or from a failed system call otherwise.
    private func requestConfig(_ fill: (UnsafeMutablePointer<nlmsghdr>) -> Void) -> Int32 {
        let sequence = nextSequence.wrappingAdd(1, ordering: .relaxed).oldValue
        let message = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16)
        defer { message.deallocate() }
        let nlh = nfq_nlmsg_put(message.assumingMemoryBound(to: CChar.self), Int32(NFQNL_MSG_CONFIG.rawValue),
                                UInt32(queue))!
        nlh.pointee.nlmsg_flags |= UInt16(NLM_F_ACK)
        nlh.pointee.nlmsg_seq = sequence
        fill(nlh)
        do {
            try send(message, count: Int(nlh.pointee.nlmsg_len))
        } catch {
            return error.errno ?? EIO
        }
        return awaitAck(sequence: sequence)
    }

    private func awaitAck(sequence: UInt32) -> Int32 {
        let capacity = NFQueueWorker.receiveBufferSize
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        let deadline = MonotonicClock.nanoseconds() + 2_000_000_000
        var releaseThrough: UInt32? = nil
        defer { if let id = releaseThrough { releaseSetupPackets(through: id) } }
        while true {
            switch receive(into: buffer) {
            case .bytes(let n):
                var result: Int32? = nil
                NFQueueMessages.forEach(in: UnsafeRawBufferPointer(rebasing: buffer[..<min(n, capacity)])) { type, message in
                    if type == UInt16(NLMSG_ERROR), message.count >= 16 + 4 + 16 {
                        let error = message.loadUnaligned(fromByteOffset: 16, as: Int32.self)
                        let echoedSequence = message.loadUnaligned(fromByteOffset: 16 + 4 + 8, as: UInt32.self)
                        if echoedSequence == sequence { result = -error }
                    } else if type == Self.packetMessageType, let id = NFQueueMessages.packetID(in: message) {
                        releaseThrough = id
                    }
                }
                if let result { return result }
            case .wouldBlock:
                let left = deadline - MonotonicClock.nanoseconds()
                if left <= 0 { return ETIMEDOUT }
                _ = waitReadable(timeoutMilliseconds: Int32(clamping: left / 1_000_000 + 1))
            case .overrun:
                continue
            case .failed(let e):
                return e.rawValue
            }
        }
    }

    /// Verdicts (fail verdict) packets that arrived while setup or teardown waited for an ack.
    private func releaseSetupPackets(through id: UInt32) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.verdictMessageSize, alignment: 16)
        defer { buffer.deallocate() }
        let count = appendVerdict(into: buffer, batch: true, id: id, verdict: failVerdict)
        try? send(buffer, count: count)
    }
}
