import NetCore
import Records
import Glibc
import Synchronization

/// Guards against a packet thread that is alive but stuck (a slow handler, a blocked `idle`): neither
/// `--queue-bypass` nor `NFQA_CFG_F_FAIL_OPEN` helps then, and traffic would stop until the queue fills.
///
/// Runs on its own thread (created after the privilege drop, so it holds CAP_NET_ADMIN). Every check interval
/// it compares each queue's progress counter with the previous value; when a queue made no progress for the
/// stall bound while a received packet waits for its verdict or data waits in the socket, it sends one batch
/// verdict (accept, or drop when fail-closed) that covers every packet queued in the kernel — including those
/// not yet read — and repeats that every interval until the packet thread moves again. Verdicts the packet
/// thread sends later for those packets get `ENOENT` from the kernel, which the packet thread counts quietly.
final class NFQueueWatchdog {
    private struct Watched {
        let socket: NFQueueSocket
        let state: NFQueueSharedState
        var lastProgress: UInt64 = .max
        var lastChange: Int64 = 0
        var stalled = false
        var releasesInStall: UInt64 = 0
    }

    /// The flag that ends `run`, set from any thread.
    final class StopFlag: Sendable {
        let value = Atomic<Bool>(false)
        /// Asks the watchdog to return within one check interval.
        func request() { value.store(true, ordering: .releasing) }
    }

    private var watched: [Watched]
    private let stop: StopFlag
    private let stallBound: Int64
    private let interval: Int64
    private let onEvent: (@Sendable (NFQueueEvent) -> Void)?
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: NFQueueSocket.verdictMessageSize, alignment: 16)

    /// - Parameters:
    ///   - stallBound: how long without progress counts as a stall.
    ///   - stop: set it to end `run`.
    init(queues: [(NFQueueSocket, NFQueueSharedState)], stallBound: Duration, stop: StopFlag,
         onEvent: (@Sendable (NFQueueEvent) -> Void)?) {
        self.watched = queues.map { Watched(socket: $0.0, state: $0.1) }
        self.stop = stop
        self.stallBound = stallBound.nfqNanoseconds
        self.interval = max(1_000_000, min(self.stallBound / 5, 50_000_000))
        self.onEvent = onEvent
    }

    deinit { buffer.deallocate() }

    /// Checks the queues until `requestStop()`.
    func run() {
        while !stop.value.load(ordering: .acquiring) {
            usleep(useconds_t(interval / 1000))
            let now = MonotonicClock.nanoseconds()
            for i in watched.indices { check(&watched[i], now: now) }
        }
    }

    private func check(_ w: inout Watched, now: Int64) {
        let progress = w.state.progress.load(ordering: .relaxed)
        if progress != w.lastProgress {
            if w.stalled {
                onEvent?(.watchdogRecovered(queue: w.state.queue, stalledFor: .nanoseconds(now - w.lastChange),
                                            releases: w.releasesInStall))
            }
            w.lastProgress = progress
            w.lastChange = now
            w.stalled = false
            w.releasesInStall = 0
            return
        }
        guard now - w.lastChange >= stallBound, w.state.running.load(ordering: .acquiring) else { return }
        guard w.state.hasReceivedUnverdicted || w.socket.waitReadable(timeoutMilliseconds: 0) else { return }
        let counters = w.state.counters
        if !w.stalled {
            w.stalled = true
            counters.watchdogStalls.addSingleWriter(1)
            onEvent?(.watchdogStall(queue: w.state.queue, stalledFor: .nanoseconds(now - w.lastChange),
                                    failOpen: w.socket.failVerdict != 0))
        }
        let through = NFQueueSocket.releaseAllID(after: w.state.lastReceivedID.load(ordering: .acquiring))
        let length = w.socket.appendVerdict(into: buffer, batch: true, id: through, verdict: w.socket.failVerdict)
        do {
            try w.socket.send(buffer, count: length)
            counters.watchdogReleases.addSingleWriter(1)
            w.releasesInStall += 1
        } catch {
            counters.watchdogErrors.addSingleWriter(1)
            if w.releasesInStall == 0 { onEvent?(.error(error)) }
        }
    }
}
