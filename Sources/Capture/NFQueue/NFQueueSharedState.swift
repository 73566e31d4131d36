import NetCore
import Records
import Synchronization

/// What a packet thread and the watchdog share for one queue. Packet ids of a queue increase by one per packet
/// (modulo 2^32); the packet thread publishes the last id it received and the last id it verdicted, and bumps a
/// progress counter on every loop step, so the watchdog can tell a stall with packets waiting from an idle queue.
final class NFQueueSharedState: Sendable {
    /// The queue number.
    let queue: UInt16
    /// Set by `NFQueueSource.stop()`; the packet thread sees it within one poll timeout.
    let stopRequested = Atomic<Bool>(false)
    /// Bumped by the packet thread on every loop step (receive, poll wake-up, idle call).
    let progress = Atomic<UInt64>(0)
    /// Last packet id the packet thread received (0: none yet; kernel ids start at 1).
    let lastReceivedID = Atomic<UInt32>(0)
    /// Last packet id covered by a verdict the packet thread sent.
    let lastVerdictedID = Atomic<UInt32>(0)
    /// True while the packet thread runs its loop (set before `started`, cleared after `stopped`).
    let running = Atomic<Bool>(false)
    /// The counters of this queue.
    let counters = NFQueueCounters()

    init(queue: UInt16) { self.queue = queue }

    /// Whether a received packet still waits for the packet thread's verdict.
    var hasReceivedUnverdicted: Bool {
        lastReceivedID.load(ordering: .acquiring) != lastVerdictedID.load(ordering: .acquiring)
    }
}
