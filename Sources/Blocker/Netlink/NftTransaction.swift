import NetCore
#if canImport(Glibc)
import Glibc
#endif
internal import CMnl
internal import CNftnl

/// One nftables transaction: a list of netlink messages sent between `NFNL_MSG_BATCH_BEGIN` and
/// `NFNL_MSG_BATCH_END` (`nftnl_batch_begin` / `nftnl_batch_end`, laid out with `mnl_nlmsg_batch_*`), in one
/// `sendmsg`, after which every ack is read and mapped back to the message it answers.
///
/// The kernel applies a batch atomically: when one message fails, the whole batch is rolled back. A
/// transaction larger than the socket's send buffer is split into several batches at message boundaries
/// (each atomic on its own) unless `atomic` is requested, in which case it throws before sending anything.
///
/// Messages ask for an ack (`NLM_F_ACK`) so that every one is accounted for; nfnetlink processes a batch
/// synchronously inside `sendmsg`, so the acks are queued by the time the send returns.
final class NftTransaction {
    /// One message: a description for errors, an upper bound of its encoded size, and a builder that writes
    /// the complete netlink message (header included) at the given buffer with the given sequence number.
    struct Message {
        /// What the message does, e.g. "creating set inet slipsd blocked4".
        let description: String
        /// An upper bound of the encoded size in bytes; the builder must not write more.
        let maximumSize: Int
        /// Writes the message at `buffer` with sequence `sequence` (typically `nftnl_nlmsg_build_hdr` + payload).
        let build: (_ buffer: UnsafeMutablePointer<CChar>, _ sequence: UInt32) -> Void
    }

    /// What happened to one message.
    enum Outcome: Equatable {
        /// The kernel accepted the message and committed its batch.
        case committed
        /// The kernel rejected this message (`errno`), so its batch was rolled back.
        case failed(errno: Int32, text: String)
        /// Another message of the same batch failed (`cause`), so this one was rolled back.
        case rolledBack(cause: String)

        /// True for `.committed`.
        var isCommitted: Bool { self == .committed }
    }

    /// The result of `commit`.
    struct Report {
        /// One outcome per message, in order.
        var outcomes: [Outcome]
        /// For each message, the time from the start of `commit` until its batch's acks were read.
        var ackedAfter: [Duration]
        /// How many batches (sendmsg calls) the transaction needed.
        var batchCount: Int
        /// The first message the kernel rejected, as an error naming it.
        var firstFailure: BlockerError?

        /// Throws `firstFailure` if there is one.
        func throwIfFailed() throws {
            if let firstFailure { throw firstFailure }
        }
    }

    /// Size of the batch end message: a netlink header plus `struct nfgenmsg`.
    private static let batchMarkerSize = 20
    /// Room past the send limit, so a wrong size estimate never writes outside the buffer.
    private static let slack = 128 * 1024

    /// The messages, in the order they will be sent.
    private(set) var messages: [Message] = []

    /// What the whole transaction does, for error messages.
    let description: String

    /// Creates an empty transaction described by `description` (e.g. "setting up table inet slipsd").
    init(_ description: String) {
        self.description = description
    }

    /// Appends a message. See `Message` for the meaning of the parameters.
    func append(_ description: String, maximumSize: Int,
                build: @escaping (_ buffer: UnsafeMutablePointer<CChar>, _ sequence: UInt32) -> Void) {
        messages.append(Message(description: description, maximumSize: maximumSize, build: build))
    }

    /// Sends the transaction and reads every ack.
    /// - Parameters:
    ///   - socket: the netfilter netlink socket; the calling thread needs CAP_NET_ADMIN.
    ///   - atomic: true to refuse (throw before sending) a transaction that does not fit in one batch.
    /// - Returns: the per-message outcomes. Kernel rejections are reported there, not thrown.
    /// - Throws: `BlockerError` when a message does not fit the send buffer, when `atomic` cannot be honoured,
    ///   or when sending/receiving fails (batches sent before the failure may have been committed).
    func commit(on socket: NetlinkSocket, atomic: Bool) throws -> Report {
        let started = ContinuousClock.now
        let limit = socket.sendLimit
        let capacity = limit + NftTransaction.slack
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        guard let batch = mnl_nlmsg_batch_start(buffer, capacity) else {
            throw BlockerError.system("allocating a netlink batch for \(description)")
        }
        defer { mnl_nlmsg_batch_stop(batch) }

        var report = Report(outcomes: [], ackedAfter: [], batchCount: 0, firstFailure: nil)
        report.outcomes.reserveCapacity(messages.count)
        var index = 0
        while index < messages.count {
            mnl_nlmsg_batch_reset(batch)
            let beginSequence = socket.nextSequence()
            nftnl_batch_begin(current(batch), beginSequence)
            _ = mnl_nlmsg_batch_next(batch)
            var sent: [UInt32] = []
            while index < messages.count {
                let message = messages[index]
                let used = mnl_nlmsg_batch_size(batch)
                if used + message.maximumSize + NftTransaction.batchMarkerSize > limit {
                    guard !sent.isEmpty else {
                        throw BlockerError(operation: message.description,
                                           reason: "message of up to \(message.maximumSize) bytes does not fit "
                                               + "the netlink send buffer (\(limit) bytes)")
                    }
                    break
                }
                let sequence = socket.nextSequence()
                let start = current(batch)
                message.build(start, sequence)
                let length = Int(UnsafeRawPointer(start).loadUnaligned(as: nlmsghdr.self).nlmsg_len)
                precondition(length <= message.maximumSize,
                             "\(message.description): \(length) bytes exceed the estimate \(message.maximumSize)")
                _ = mnl_nlmsg_batch_next(batch)
                sent.append(sequence)
                index += 1
            }
            if atomic, index < messages.count {
                throw BlockerError(operation: description,
                                   reason: "\(messages.count) messages do not fit one batch of \(limit) bytes")
            }
            let endSequence = socket.nextSequence()
            nftnl_batch_end(current(batch), endSequence)
            _ = mnl_nlmsg_batch_next(batch)

            let bytes = UnsafeRawBufferPointer(start: mnl_nlmsg_batch_head(batch), count: mnl_nlmsg_batch_size(batch))
            try BlockerError.mapping {
                try socket.send(bytes, operation: "sending \(description) (\(bytes.count) bytes, \(sent.count) messages)")
            }
            report.batchCount += 1
            let firstIndex = index - sent.count
            let outcomes = try readAcks(on: socket, sequences: sent, firstIndex: firstIndex,
                                        batchSequences: [beginSequence, endSequence])
            let elapsed = ContinuousClock.now - started
            for (offset, outcome) in outcomes.enumerated() {
                report.outcomes.append(outcome)
                report.ackedAfter.append(elapsed)
                if report.firstFailure == nil, case .failed(let code, let text) = outcome {
                    report.firstFailure = BlockerError(operation: messages[firstIndex + offset].description,
                                                       reason: text, errno: code)
                }
            }
            if report.firstFailure == nil, let cause = outcomes.lazy.compactMap(\.rollbackCause).first {
                report.firstFailure = BlockerError(operation: description, reason: cause)
            }
        }
        return report
    }

    /// The batch's write position as the `char *` libnftnl expects.
    private func current(_ batch: OpaquePointer) -> UnsafeMutablePointer<CChar> {
        mnl_nlmsg_batch_current(batch).assumingMemoryBound(to: CChar.self)
    }

    /// Reads acks until every sequence in `sequences` is answered; an error on the batch markers (e.g. a failed
    /// commit) is taken as the cause for the whole batch, after which the queue is drained without waiting.
    private func readAcks(on socket: NetlinkSocket, sequences: [UInt32], firstIndex: Int,
                          batchSequences: Set<UInt32>) throws -> [Outcome] {
        var pending: [UInt32: Int] = [:]
        for (position, sequence) in sequences.enumerated() { pending[sequence] = position }
        var errors: [Int: (Int32, String)] = [:]
        var batchFailure: String?
        let operation = "reading the kernel's acks for \(description)"
        while !pending.isEmpty {
            guard let datagram = try BlockerError.mapping({ try socket.receive(wait: batchFailure == nil, operation: operation) }) else {
                if batchFailure != nil { break }
                throw BlockerError(operation: operation,
                                   reason: "no answer within 5 s for \(pending.count) of \(sequences.count) messages")
            }
            NetlinkReply.forEach(in: datagram) { reply in
                guard case .ack(let sequence, let code, let text) = reply else { return true }
                if batchSequences.contains(sequence) {
                    if code != 0 { batchFailure = NftTransaction.reason(code, text) }
                } else if let position = pending.removeValue(forKey: sequence), code != 0 {
                    errors[position] = (code, NftTransaction.reason(code, text))
                }
                return true
            }
        }
        if errors.isEmpty, batchFailure == nil {
            return Array(repeating: .committed, count: sequences.count)
        }
        let cause: String
        if let first = errors.keys.min(), let (_, text) = errors[first] {
            cause = "\(messages[firstIndex + first].description) failed: \(text)"
        } else {
            cause = "the kernel rejected the batch: \(batchFailure ?? "unknown error")"
        }
        return (0..<sequences.count).map { position in
            if let (code, text) = errors[position] { return .failed(errno: code, text: text) }
            return .rolledBack(cause: cause)
        }
    }

    /// errno text plus the kernel's extended-ack message when there is one.
    private static func reason(_ code: Int32, _ text: String?) -> String {
        let base = BlockerError.errnoText(code)
        guard let text, !text.isEmpty else { return base }
        return "\(base): \(text)"
    }
}

extension NftTransaction.Outcome {
    /// The cause of a rollback, if this outcome is one.
    var rollbackCause: String? {
        if case .rolledBack(let cause) = self { return cause }
        return nil
    }
}
