import NetCore
import Records
import Synchronization

/// The inline packet source: NFQUEUE queues read through libmnl and libnetfilter_queue, one dedicated OS thread per
/// queue running receive → `PacketHandler` → verdict, plus one watchdog thread that releases packets when a
/// packet thread stalls.
///
/// Life cycle, and which thread does what:
/// 1. `init` opens and configures one netlink socket per queue **on the calling thread** — as root, before the
///    privilege drop. The sockets belong to the calling thread's network namespace.
/// 2. The daemon drops privileges, keeping CAP_NET_ADMIN (nfnetlink checks it on every verdict, per thread).
/// 3. `start` creates the packet threads and the watchdog thread. They must be created **after** the drop, by a
///    thread that still holds CAP_NET_ADMIN, so they inherit it; threads that existed before the drop lose it.
/// 4. `stop` (from any thread other than a packet thread) makes each packet thread flush its verdicts, verdict
///    everything still queued (accept when fail-open, drop when fail-closed), unbind, and exit; then it stops the
///    watchdog. No queued packet is left without a verdict. A stopped source cannot be restarted.
///
/// Counters and `onEvent` are readable/called from any thread. The source is `Sendable`; the handlers are not:
/// each lives on its packet thread.
public final class NFQueueSource: Sendable {
    /// The settings the source was opened with.
    public let configuration: NFQueueConfiguration
    private let sockets: [NFQueueSocket]
    private let states: [NFQueueSharedState]
    private let onEvent: (@Sendable (NFQueueEvent) -> Void)?
    private let lifecycle = Mutex<Lifecycle>(.opened)
    private let watchdogStop = NFQueueWatchdog.StopFlag()

    private enum Lifecycle: Sendable {
        case opened
        /// `start` is creating the threads.
        case starting
        case running(packetThreads: [OSThread], watchdog: OSThread)
        case stopped
    }

    /// Opens, binds and configures every queue of `configuration` on the calling thread (see the type's doc).
    /// - Parameters:
    ///   - configuration: queues and settings; validated first.
    ///   - onEvent: called for rare events (start/stop, stalls, overruns, errors) on the thread where they happen;
    ///     must be quick and thread-safe.
    /// - Throws: `CaptureError`, e.g. "binding NFQUEUE queue 0: queue 0 is already in use by another process
    ///   (EPERM)". Queues opened before the failure are closed again.
    public init(configuration: NFQueueConfiguration,
                onEvent: (@Sendable (NFQueueEvent) -> Void)? = nil) throws(CaptureError) {
        try configuration.validate()
        var sockets: [NFQueueSocket] = []
        for queue in configuration.queues {
            sockets.append(try NFQueueSocket.open(queue: queue, configuration: configuration))
        }
        self.configuration = configuration
        self.sockets = sockets
        self.states = sockets.map { NFQueueSharedState(queue: $0.queue) }
        self.onEvent = onEvent
    }

    deinit { stop() }

    /// The queue numbers, in order.
    public var queueNumbers: [UInt16] { sockets.map(\.queue) }

    /// Whether `start` was called and `stop` not yet.
    public var isRunning: Bool {
        lifecycle.withLock { if case .running = $0 { return true } else { return false } }
    }

    /// Starts the packet thread of the single queue with `handler`, and the watchdog.
    /// Call after the privilege drop, from a thread holding CAP_NET_ADMIN (see the type's doc).
    /// - Parameter handler: moves to the packet thread and is used only there.
    /// - Throws: `CaptureError` if the source has more than one queue, was already started or stopped, or a
    ///   thread cannot be created.
    public func start(handler: sending any PacketHandler) throws(CaptureError) {
        guard sockets.count == 1, let socket = sockets.first, let state = states.first else {
            throw CaptureError(operation: "starting", object: "NFQUEUE queues \(configuration.queues)",
                               reason: "one handler for \(sockets.count) queues: use start(makeHandler:)")
        }
        try claimStart()
        let configuration = configuration
        let onEvent = onEvent
        let thread: OSThread
        do throws(CaptureError) {
            thread = try OSThread.spawnCapture(name: "slipsd-nfq\(socket.queue)", object: socket.object) {
                NFQueueWorker(socket: socket, state: state, configuration: configuration, handler: handler,
                              onEvent: onEvent).run()
            }
        } catch {
            lifecycle.withLock { $0 = .stopped }
            throw error
        }
        try startWatchdog(packetThreads: [thread])
    }

    /// Starts one packet thread per queue and the watchdog thread. `makeHandler(queue)` runs on each packet
    /// thread before its loop, so the handler (flow table, detectors) is created and confined there.
    /// Call after the privilege drop, from a thread holding CAP_NET_ADMIN (see the type's doc).
    /// - Throws: `CaptureError` if already started or stopped, or a thread cannot be created (threads already
    ///   started are stopped again).
    public func start(makeHandler: @escaping @Sendable (_ queue: UInt16) -> any PacketHandler)
        throws(CaptureError)
    {
        try claimStart()
        var threads: [OSThread] = []
        do throws(CaptureError) {
            for (socket, state) in zip(sockets, states) {
                let configuration = configuration
                let onEvent = onEvent
                threads.append(try OSThread.spawnCapture(name: "slipsd-nfq\(socket.queue)", object: socket.object) {
                    NFQueueWorker(socket: socket, state: state, configuration: configuration,
                                  handler: makeHandler(socket.queue), onEvent: onEvent).run()
                })
            }
        } catch {
            abortStart(threads)
            throw error
        }
        try startWatchdog(packetThreads: threads)
    }

    /// Moves the source from `.opened` to `.starting`; throws when it was already started or stopped.
    private func claimStart() throws(CaptureError) {
        try lifecycle.withLock { (lifecycle: inout Lifecycle) throws(CaptureError) in
            guard case .opened = lifecycle else {
                throw CaptureError(operation: "starting", object: "NFQUEUE queues \(configuration.queues)",
                                   reason: "the source was already started or stopped")
            }
            lifecycle = .starting
        }
    }

    /// Starts the watchdog over every queue and records the running threads.
    private func startWatchdog(packetThreads threads: [OSThread]) throws(CaptureError) {
        let watched = Array(zip(sockets, states))
        let bound = configuration.watchdogStallBound
        let stopFlag = watchdogStop
        let onEvent = onEvent
        do throws(CaptureError) {
            let watchdog = try OSThread.spawnCapture(name: "slipsd-nfq-wd", object: "NFQUEUE watchdog") {
                NFQueueWatchdog(queues: watched, stallBound: bound, stop: stopFlag, onEvent: onEvent).run()
            }
            let stillStarting = lifecycle.withLock { lifecycle -> Bool in
                guard case .starting = lifecycle else { return false }
                lifecycle = .running(packetThreads: threads, watchdog: watchdog)
                return true
            }
            if !stillStarting {                 // `stop()` came while starting: finish its work here
                for state in states { state.stopRequested.store(true, ordering: .releasing) }
                for thread in threads { thread.join() }
                watchdogStop.request()
                watchdog.join()
            }
        } catch {
            abortStart(threads)
            throw error
        }
    }

    /// Stops the packet threads already started after a failed start.
    private func abortStart(_ threads: [OSThread]) {
        for state in states { state.stopRequested.store(true, ordering: .relaxed) }
        for thread in threads { thread.join() }
        lifecycle.withLock { $0 = .stopped }
    }

    /// Stops the source and waits for its threads (at most about one poll timeout, plus the time the handlers
    /// take to return). Each packet thread flushes its verdicts, verdicts everything still queued (fail verdict)
    /// and unbinds its queue. If the source was never started, the queues are released and unbound on the
    /// calling thread. Idempotent. Must not be called from a packet thread (it would wait for itself).
    public func stop() {
        let previous = lifecycle.withLock { lifecycle -> Lifecycle in
            let previous = lifecycle
            lifecycle = .stopped
            return previous
        }
        switch previous {
        case .stopped, .starting:
            return                              // a concurrent `start` stops what it started
        case .opened:
            for socket in sockets {
                for error in socket.releaseAllAndUnbind(lastReceivedID: 0) { onEvent?(.error(error)) }
            }
        case .running(let packetThreads, let watchdog):
            for state in states { state.stopRequested.store(true, ordering: .releasing) }
            for thread in packetThreads where !thread.isCurrent { thread.join() }
            watchdogStop.request()
            watchdog.join()
        }
    }

    /// Each queue's heartbeat, in queue order: its packet thread advances it every time its receive returns
    /// (with a packet, a would-block or a poll timeout, at least every `pollTimeout` while idle) and around its
    /// idle work. A value that stays the same for longer than a few poll timeouts means that packet thread is
    /// stuck. Any thread.
    public var heartbeats: [(queue: UInt16, count: UInt64)] {
        states.map { ($0.queue, $0.progress.load(ordering: .relaxed)) }
    }

    /// The counters summed over all queues (`largestPacket` is the maximum). `receiveOverruns` includes the
    /// kernel's count of packet messages it could not deliver (`SO_MEMINFO`). Any thread.
    public var statistics: NFQueueStatistics {
        zip(sockets, states).reduce(NFQueueStatistics()) { sum, pair in sum + Self.snapshot(pair.0, pair.1) }
    }

    /// The counters of one queue, or nil if the source does not have it. Any thread.
    public func statistics(queue: UInt16) -> NFQueueStatistics? {
        guard let index = sockets.firstIndex(where: { $0.queue == queue }) else { return nil }
        return Self.snapshot(sockets[index], states[index])
    }

    private static func snapshot(_ socket: NFQueueSocket, _ state: NFQueueSharedState) -> NFQueueStatistics {
        var s = state.counters.snapshot()
        s.receiveOverruns &+= socket.kernelDrops()
        return s
    }
}
