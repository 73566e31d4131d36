import NetCore
import Records
/// A rare event of an `NFQueueSource`, passed to its `onEvent` callback on the thread where it happened (a packet
/// thread or the watchdog thread). Never per packet; the callback must be quick and thread-safe. Capture has no
/// logging dependency: the daemon turns these into log lines.
public enum NFQueueEvent: Sendable, CustomStringConvertible {
    /// A packet thread started on `queue`.
    case started(queue: UInt16)
    /// A packet thread finished on `queue`. `clean`: everything pending was verdicted and the queue unbound;
    /// otherwise the teardown failed (reported as `.error` just before) and the kernel drops whatever is still
    /// queued when the socket closes.
    case stopped(queue: UInt16, clean: Bool)
    /// The packet thread of `queue` made no progress for `stalledFor` while packets waited; the watchdog started
    /// verdicting every queued packet (accept when fail-open, drop when fail-closed).
    case watchdogStall(queue: UInt16, stalledFor: Duration, failOpen: Bool)
    /// The packet thread of `queue` progresses again after a stall during which the watchdog sent `releases`
    /// release verdicts.
    case watchdogRecovered(queue: UInt16, stalledFor: Duration, releases: UInt64)
    /// The socket of `queue` reported ENOBUFS: packet messages were lost (the kernel accepted those packets when
    /// fail-open). Reported at most once per second.
    case receiveOverrun(queue: UInt16, total: UInt64)
    /// A failure that did not stop the source (send errors, kernel error replies, malformed messages). Reported
    /// at most once per second per queue.
    case error(CaptureError)

    /// One log line describing the event.
    public var description: String {
        switch self {
        case .started(let q): "NFQUEUE queue \(q): packet thread started"
        case .stopped(let q, let clean):
            clean ? "NFQUEUE queue \(q): packet thread stopped, pending packets verdicted, queue unbound"
                : "NFQUEUE queue \(q): packet thread stopped, but releasing or unbinding the queue failed"
        case .watchdogStall(let q, let d, let open):
            "NFQUEUE queue \(q): packet thread stalled for \(d); watchdog \(open ? "accepts" : "drops") queued packets"
        case .watchdogRecovered(let q, let d, let n):
            "NFQUEUE queue \(q): packet thread recovered after \(d) (\(n) watchdog release verdicts)"
        case .receiveOverrun(let q, let n):
            "NFQUEUE queue \(q): receive buffer overrun (ENOBUFS), packet messages lost (total \(n))"
        case .error(let e): e.description
        }
    }
}
