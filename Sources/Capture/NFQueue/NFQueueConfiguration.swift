import NetCore
import Records
/// Settings of the inline NFQUEUE packet source. Defaults suit a gateway: whole packets, GSO on, fail-open,
/// a moderate queue so the kernel's fail-open on a full queue kicks in before latency grows.
public struct NFQueueConfiguration: Sendable, Equatable {
    /// Queue numbers to bind, one socket and one packet thread per queue (`--queue-num 0` is `0...0`,
    /// `--queue-balance 0:1` is `0...1`).
    public var queues: ClosedRange<UInt16>
    /// Bytes of each packet copied to user space (`NFQNL_COPY_PACKET` range). The kernel clamps it to 65531.
    public var copyRange: UInt32 = 0xffff
    /// Packets the kernel holds for this queue before it accepts (fail-open) or drops (fail-closed) new ones
    /// (`NFQA_CFG_QUEUE_MAXLEN`).
    public var maxQueueLength: UInt32 = 4096
    /// Netlink socket receive buffer in bytes (`SO_RCVBUFFORCE`, falling back to `SO_RCVBUF`).
    public var receiveBufferSize: Int = 16 << 20
    /// `true`: accept when the queue is full, when a stall is detected and at shutdown (`NFQA_CFG_F_FAIL_OPEN`).
    /// `false` (fail-closed): drop in those cases.
    public var failOpen: Bool = true
    /// Receive GSO super-packets unsegmented (`NFQA_CFG_F_GSO`): packets may exceed the MTU (up to ~64 KB) and,
    /// with `NFQA_SKB_CSUMNOTREADY`, carry checksums that are not filled in yet.
    public var gso: Bool = true
    /// Accept verdicts are sent as one `NFQNL_MSG_VERDICT_BATCH` after at most this many packets.
    public var verdictBatchSize: Int = 64
    /// An accept waits at most this long in a batch while packets keep arriving.
    public var maxBatchDelay: Duration = .milliseconds(2)
    /// A packet thread that made no progress for this long while packets wait is considered stalled; the watchdog
    /// then verdicts every queued packet (accept, or drop when fail-closed).
    public var watchdogStallBound: Duration = .milliseconds(250)
    /// How long a packet thread waits in `poll` before calling `PacketHandler.idle(now:)` and checking for stop.
    /// Must be at most half the stall bound.
    public var pollTimeout: Duration = .milliseconds(100)

    /// Creates a configuration for the given queues with the default settings.
    public init(queues: ClosedRange<UInt16>) { self.queues = queues }

    /// Creates a configuration for one queue with the default settings.
    public init(queue: UInt16) { self.queues = queue...queue }

    /// Parses a queue specification: `"3"` or a range `"0:1"` (iptables `--queue-balance` syntax).
    /// - Throws: `CaptureError` naming the text when it is not a number or an ascending range of numbers ≤ 65535.
    public static func parseQueues(_ text: String) throws(CaptureError) -> ClosedRange<UInt16> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let bad = CaptureError(operation: "parsing", object: "NFQUEUE queue specification \"\(text)\"",
                               reason: "expected a queue number 0-65535 or a range like 0:1")
        guard parts.count == 1 || parts.count == 2,
              let first = UInt16(parts[0]), let last = UInt16(parts[parts.count - 1]) else { throw bad }
        guard first <= last else {
            throw CaptureError(operation: "parsing", object: "NFQUEUE queue specification \"\(text)\"",
                               reason: "the range is descending (\(first) > \(last))")
        }
        return first...last
    }

    /// A setting `validate()` refuses.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The property's name in `NFQueueConfiguration` (`copyRange`, `watchdogStallBound`, …).
        public var setting: String
        /// Why the value is refused, with the value and the allowed range.
        public var reason: String

        /// Creates a problem report.
        public init(setting: String, reason: String) {
            self.setting = setting
            self.reason = reason
        }

        /// `<setting>: <reason>`.
        public var description: String { "\(setting): \(reason)" }
    }

    /// The first setting out of range, in declaration order, or nil when every setting is valid. Callers that
    /// know where a setting came from (a YAML key) use it to name that source; `validate()` throws it.
    public var firstProblem: Problem? {
        func problem(_ setting: String, _ why: String) -> Problem { Problem(setting: setting, reason: why) }
        guard copyRange >= 64, copyRange <= 0xffff else {
            return problem("copyRange", "\(copyRange) is outside 64...65535")
        }
        guard maxQueueLength >= 1 else { return problem("maxQueueLength", "must be at least 1") }
        guard receiveBufferSize >= 1 << 16, receiveBufferSize <= Int(Int32.max) else {
            return problem("receiveBufferSize", "\(receiveBufferSize) is outside 65536...\(Int32.max) bytes")
        }
        guard verdictBatchSize >= 1 else { return problem("verdictBatchSize", "must be at least 1") }
        guard maxBatchDelay >= .zero, maxBatchDelay <= .seconds(1) else {
            return problem("maxBatchDelay", "\(maxBatchDelay) is outside 0...1 s")
        }
        guard pollTimeout >= .milliseconds(1) else { return problem("pollTimeout", "must be at least 1 ms") }
        guard watchdogStallBound >= pollTimeout * 2 else {
            return problem("watchdogStallBound",
                           "\(watchdogStallBound) must be at least twice the packet threads' poll timeout (\(pollTimeout))")
        }
        return nil
    }

    /// Checks every setting; `NFQueueSource` calls it before opening sockets.
    /// - Throws: `CaptureError` naming the setting and its allowed range (`firstProblem`).
    public func validate() throws(CaptureError) {
        guard let problem = firstProblem else { return }
        throw CaptureError(operation: "validating", object: "NFQUEUE setting \(problem.setting)", reason: problem.reason)
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, saturating at `Int32.max` (for `poll`).
    var nfqMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: Int128(seconds) * 1000 + Int128(attoseconds / 1_000_000_000_000_000))
    }

    /// Whole nanoseconds, saturating.
    var nfqNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : product &+ attoseconds / 1_000_000_000
    }
}
