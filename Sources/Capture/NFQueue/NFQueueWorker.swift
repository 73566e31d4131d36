import NetCore
import Records
import Glibc
internal import CMnl
internal import CNetfilterQueue
import Synchronization

/// The packet loop of one queue, confined to that queue's packet thread (not `Sendable`): receive → parse the
/// attributes → `PacketHandler.handlePacket` straight from the receive buffer → verdict.
///
/// Accepts are batched (`NFQNL_MSG_VERDICT_BATCH` covers every id ≤ the last accepted one) and flushed when the
/// batch is full, when no more data is pending, and after `maxBatchDelay` under sustained load. A drop is sent at
/// once, in the same `sendmsg` as the flush of the accepts before it, so the kernel sees them in id order.
/// No allocation, copy or lock per packet: the receive buffer and the verdict buffer are allocated once; the
/// attributes are found by one walk (`NFQueuePacketAttributes`).
final class NFQueueWorker {
    /// Receive buffer size: the largest packet message (65531 payload bytes after the kernel's clamp, GSO packets)
    /// plus headers and every other attribute, with room to spare.
    static let receiveBufferSize = 65536 + 16384

    private let socket: NFQueueSocket
    private let state: NFQueueSharedState
    private let counters: NFQueueCounters
    private let handler: any PacketHandler
    private let onEvent: (@Sendable (NFQueueEvent) -> Void)?
    private let batchSize: Int
    private let maxBatchDelayMicroseconds: Int64
    private let pollTimeoutMilliseconds: Int32
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private let verdictBuffer: UnsafeMutableRawPointer

    private var pendingCount = 0
    /// Packets handled since the handler last handed its records over (`PacketHandler.batchEnded`).
    private var packetsSinceHandoff = 0
    private var pendingHighestID: UInt32 = 0
    private var pendingSince: Int64 = 0
    private var lastReceivedID: UInt32 = 0
    private var now = PacketTime.zero
    private var lastIdle: Int64 = 0
    private var lastErrorEvent: Int64? = nil
    private var lastOverrunEvent: Int64? = nil

    private static let accept = Int32(NF_ACCEPT)
    private static let drop = Int32(NF_DROP)
    private static let errorMessageType = UInt16(NLMSG_ERROR)

    /// Creates the loop state; call on the packet thread that will run it.
    init(socket: NFQueueSocket, state: NFQueueSharedState, configuration: NFQueueConfiguration,
         handler: any PacketHandler, onEvent: (@Sendable (NFQueueEvent) -> Void)?) {
        self.socket = socket
        self.state = state
        self.counters = state.counters
        self.handler = handler
        self.onEvent = onEvent
        self.batchSize = configuration.verdictBatchSize
        self.maxBatchDelayMicroseconds = configuration.maxBatchDelay.nfqNanoseconds / 1000
        self.pollTimeoutMilliseconds = configuration.pollTimeout.nfqMilliseconds
        self.receiveBuffer = .allocate(byteCount: Self.receiveBufferSize, alignment: 16)
        self.verdictBuffer = .allocate(byteCount: 2 * NFQueueSocket.verdictMessageSize, alignment: 16)
    }

    deinit {
        receiveBuffer.deallocate()
        verdictBuffer.deallocate()
    }

    /// Runs until `state.stopRequested`, then verdicts everything pending, unbinds the queue and returns.
    func run() {
        state.running.store(true, ordering: .releasing)
        onEvent?(.started(queue: socket.queue))
        now = WallClock.now()
        lastIdle = now.microseconds
        let datagramCapacity = receiveBuffer.count
        while !state.stopRequested.load(ordering: .relaxed) {
            state.progress.addSingleWriter(1)
            switch socket.receive(into: receiveBuffer) {
            case .bytes(let count):
                now = WallClock.now()
                if count > datagramCapacity {
                    handleCutDatagram()
                } else if !NFQueueMessages.forEach(in: UnsafeRawBufferPointer(rebasing: receiveBuffer[..<count]),
                                                   { type, message in dispatch(type: type, message: message) }) {
                    reportError(CaptureError(operation: "parsing a datagram from", object: socket.object,
                                             reason: "\(count) bytes do not end on a complete netlink message"))
                }
                if pendingCount > 0 {
                    let waited = now.microseconds &- pendingSince
                    if waited >= maxBatchDelayMicroseconds || waited < 0 { flushAccepts() }
                }
                if packetsSinceHandoff >= batchSize {
                    packetsSinceHandoff = 0
                    handler.batchEnded()
                }
                if now.microseconds &- lastIdle >= 1_000_000 { callIdle() }
            case .wouldBlock:
                flushAccepts()
                if packetsSinceHandoff > 0 {
                    packetsSinceHandoff = 0
                    handler.batchEnded()
                }
                state.progress.addSingleWriter(1)
                if !socket.waitReadable(timeoutMilliseconds: pollTimeoutMilliseconds) {
                    now = WallClock.now()
                    callIdle()
                }
            case .overrun:
                counters.receiveOverruns.addSingleWriter(1)
                let t = MonotonicClock.nanoseconds()
                if lastOverrunEvent.map({ t - $0 >= 1_000_000_000 }) ?? true {
                    lastOverrunEvent = t
                    onEvent?(.receiveOverrun(queue: socket.queue,
                                             total: counters.receiveOverruns.load(ordering: .relaxed)))
                }
            case .failed(let errno):
                let e = errno.rawValue
                reportError(.system("receiving from", object: socket.object, errno: e))
                if e == EBADF || e == ENOTSOCK { state.stopRequested.store(true, ordering: .relaxed) }
                else { usleep(1000) }
            }
        }
        flushAccepts()
        let errors = socket.releaseAllAndUnbind(lastReceivedID: lastReceivedID)
        for error in errors { reportError(error, always: true) }
        handler.sourceStopped()
        state.progress.addSingleWriter(1)
        state.running.store(false, ordering: .releasing)
        onEvent?(.stopped(queue: socket.queue, clean: errors.isEmpty))
    }

    // MARK: Messages

    @inline(__always)
    private func dispatch(type: UInt16, message: UnsafeRawBufferPointer) {
        if type == NFQueueSocket.packetMessageType {
            packetsSinceHandoff &+= 1
            handlePacketMessage(message)
        } else if type == Self.errorMessageType, message.count >= NFQueueMessages.headerSize + 4 {
            let error = -message.loadUnaligned(fromByteOffset: NFQueueMessages.headerSize, as: Int32.self)
            if error == ENOENT {
                // A verdict for a packet no longer queued: the watchdog released it first. Harmless.
                counters.staleVerdicts.addSingleWriter(1)
            } else if error != 0 {
                var e = CaptureError.system("verdict rejected by the kernel for", object: socket.object, errno: error)
                if error == EPERM {
                    e.reason += "; this packet thread lacks CAP_NET_ADMIN: start the source after the privilege "
                        + "drop and keep CAP_NET_ADMIN"
                }
                reportError(e)
            }
        }
    }

    @inline(__always)
    private func handlePacketMessage(_ message: UnsafeRawBufferPointer) {
        guard let found = NFQueuePacketAttributes.parse(message) else {
            handleMalformed(message)
            return
        }
        let id = UInt32(bigEndian: message.loadUnaligned(fromByteOffset: found.headerOffset, as: UInt32.self))
        // hw_protocol (offset 4) and hook (offset 6) are not needed: the payload starts at the network header and
        // the handler reads the IP version from its first nibble.
        noteReceived(id)

        var payload = UnsafeRawBufferPointer(start: nil, count: 0)
        if found.payloadOffset != 0 {
            payload = UnsafeRawBufferPointer(rebasing: message[found.payloadOffset..<(found.payloadOffset
                                                                                     + found.payloadLength)])
        }
        var wireLength = payload.count
        if found.capLengthOffset != 0 {
            wireLength = Int(UInt32(bigEndian: message.loadUnaligned(fromByteOffset: found.capLengthOffset,
                                                                     as: UInt32.self)))
        }
        if found.skbInfoOffset != 0 {
            let info = UInt32(bigEndian: message.loadUnaligned(fromByteOffset: found.skbInfoOffset, as: UInt32.self))
            if info & UInt32(NFQA_SKB_CSUMNOTREADY) != 0 { counters.checksumNotReady.addSingleWriter(1) }
            if info & UInt32(NFQA_SKB_GSO) != 0 { counters.gsoPackets.addSingleWriter(1) }
        }
        var time = now
        if found.timestampOffset != 0 {
            let t = found.timestampOffset
            time = PacketTime(
                sanitizingSeconds: Int64(bitPattern: UInt64(bigEndian: message.loadUnaligned(fromByteOffset: t,
                                                                                              as: UInt64.self))),
                fraction: Int64(bitPattern: UInt64(bigEndian: message.loadUnaligned(fromByteOffset: t + 8,
                                                                                     as: UInt64.self))))
        }
        counters.packets.addSingleWriter(1)
        counters.bytes.addSingleWriter(UInt64(wireLength))
        if UInt64(payload.count) > counters.largestPacket.load(ordering: .relaxed) {
            counters.largestPacket.store(UInt64(payload.count), ordering: .relaxed)
        }

        switch handler.handlePacket(payload, wireLength: wireLength, time: time, linkType: .nfqueue) {
        case .accept:
            counters.accepts.addSingleWriter(1)
            addAccept(id)
        case .drop:
            counters.drops.addSingleWriter(1)
            sendDrop(id)
        }
    }

    @inline(__always)
    private func noteReceived(_ id: UInt32) {
        lastReceivedID = id
        state.lastReceivedID.store(id, ordering: .releasing)
    }

    /// A packet message that `nfq_nlmsg_parse` rejects: count it and give it the fail verdict if its id is readable.
    private func handleMalformed(_ message: UnsafeRawBufferPointer) {
        reportError(CaptureError(operation: "parsing a packet message from", object: socket.object,
                                 reason: "malformed attributes (\(message.count) bytes); fail verdict applied"))
        guard let id = NFQueueMessages.packetID(in: message) else { return }
        noteReceived(id)
        failVerdict(id)
    }

    /// A datagram larger than the receive buffer (cannot happen with the kernel's 65531-byte copy clamp, handled
    /// anyway): the packet id is in the first attribute, so the packet still gets the fail verdict.
    private func handleCutDatagram() {
        reportError(CaptureError(operation: "receiving from", object: socket.object,
                                 reason: "a message larger than the \(receiveBuffer.count)-byte buffer was cut; "
                                     + "fail verdict applied"))
        guard let id = NFQueueMessages.packetID(in: UnsafeRawBufferPointer(receiveBuffer)) else { return }
        noteReceived(id)
        failVerdict(id)
    }

    private func failVerdict(_ id: UInt32) {
        if socket.failVerdict == Self.accept { addAccept(id) } else { sendDrop(id) }
    }

    // MARK: Verdicts

    @inline(__always)
    private func addAccept(_ id: UInt32) {
        if pendingCount == 0 { pendingSince = now.microseconds }
        pendingCount += 1
        pendingHighestID = id
        if pendingCount >= batchSize { flushAccepts() }
    }

    /// Sends the pending accepts as one batch verdict.
    private func flushAccepts() {
        guard pendingCount > 0 else { return }
        let length = socket.appendVerdict(into: verdictBuffer, batch: true, id: pendingHighestID,
                                          verdict: Self.accept)
        if sendVerdicts(length: length, messages: 1, batches: 1) {
            state.lastVerdictedID.store(pendingHighestID, ordering: .releasing)
            pendingCount = 0
        }
    }

    /// Sends the pending accepts (ids below `id`) and the drop of `id` in one `sendmsg`.
    private func sendDrop(_ id: UInt32) {
        var length = 0
        let batches: UInt64 = pendingCount > 0 ? 1 : 0
        if pendingCount > 0 {
            length = socket.appendVerdict(into: verdictBuffer, batch: true, id: pendingHighestID,
                                          verdict: Self.accept)
        }
        length += socket.appendVerdict(into: verdictBuffer + length, batch: false, id: id, verdict: Self.drop)
        // A failed drop is retried a few times; giving up leaves the packet to a later accept batch (fail-open).
        for _ in 0..<3 {
            if sendVerdicts(length: length, messages: 1 + batches, batches: batches) {
                state.lastVerdictedID.store(id, ordering: .releasing)
                pendingCount = 0
                return
            }
        }
    }

    private func sendVerdicts(length: Int, messages: UInt64, batches: UInt64) -> Bool {
        do {
            try socket.send(verdictBuffer, count: length)
            counters.verdictMessages.addSingleWriter(messages)
            counters.batches.addSingleWriter(batches)
            return true
        } catch {
            reportError(error)
            return false
        }
    }

    // MARK: Idle and errors

    private func callIdle() {
        lastIdle = now.microseconds
        counters.idleCalls.addSingleWriter(1)
        state.progress.addSingleWriter(1)
        handler.idle(now: now)
        state.progress.addSingleWriter(1)
    }

    /// Counts an error and reports it through `onEvent` at most once per second (or always at shutdown).
    private func reportError(_ error: CaptureError, always: Bool = false) {
        counters.errors.addSingleWriter(1)
        let t = MonotonicClock.nanoseconds()
        if always || lastErrorEvent.map({ t - $0 >= 1_000_000_000 }) ?? true {
            lastErrorEvent = t
            onEvent?(.error(error))
        }
    }
}
