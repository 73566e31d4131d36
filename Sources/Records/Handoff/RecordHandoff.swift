import NetCore

/// Hands batches of `RecordEvent`s from capture threads to the detection thread.
///
/// Producers fill a thread-local array and `push` it; the arrays are swapped, not copied, and keep their
/// capacity, so steady-state hand-over allocates nothing. One lock per batch, never per packet. Neither side
/// polls: the detection thread sleeps on a condition variable until a batch arrives (or its timeout passes),
/// and an offline producer held back by a full queue sleeps until the detection thread took it. Each side
/// wakes the other only when it is waiting.
public final class RecordHandoff: Sendable {
    private struct State: ~Copyable {
        var pending: [RecordEvent] = []
        var producersFinished = 0
        var dropped = 0
        var takes: UInt64 = 0
        var pushes: UInt64 = 0
        /// Threads sleeping in `take` / in `push` (so the other side knows whether to wake them).
        var consumerWaiting = false
        var producersWaiting = 0
    }

    private let state = ConditionLock(State())
    private let producers: Int
    /// Above this many pending events, producers either wait (offline) or drop and count (inline).
    public let capacity: Int
    /// The default `capacity`: 65,536 events. The three arrays that take turns (the producer's batch, the pending
    /// one, the consumer's) keep the capacity they reached, so this bounds their memory for the whole run (a
    /// flood of 10 M forged sources held three arrays of a million records, about 600 MB, at 1 << 20) while
    /// still letting the detection thread take tens of thousands of records per lock.
    public static let defaultCapacity = 1 << 16
    /// Producers that may wait when the detection thread falls behind (offline analysis must lose nothing).
    public let producersMayWait: Bool

    /// - Parameters:
    ///   - producers: how many capture threads will call `finish()`.
    ///   - capacity: pending events above which back-pressure applies.
    ///   - producersMayWait: true offline (wait, lose nothing), false inline (never stall the packet path:
    ///     drop the batch and count it).
    public init(producers: Int, capacity: Int = RecordHandoff.defaultCapacity, producersMayWait: Bool) {
        self.producers = producers
        self.capacity = capacity
        self.producersMayWait = producersMayWait
    }

    /// Moves the events of `batch` to the detection thread; `batch` comes back empty with its capacity.
    /// Called on a capture thread.
    public func push(_ batch: inout [RecordEvent]) {
        guard !batch.isEmpty else { return }
        let capacity = capacity
        let mayWait = producersMayWait
        while true {
            // Offline, a full queue makes the producer sleep until the detection thread took it (lose nothing).
            let outcome: (accepted: Bool, wake: Bool) = state.wait(
                until: { !mayWait || $0.pending.count < capacity }, timeoutMicroseconds: mayWait ? 1_000_000 : 0,
                sleeping: { $0.producersWaiting += 1 }, woke: { $0.producersWaiting -= 1 }) { state, ready in
                if state.pending.isEmpty {
                    swap(&state.pending, &batch)
                    state.pushes &+= 1
                } else if state.pending.count < capacity {
                    state.pushes &+= 1
                    state.pending.append(contentsOf: batch)
                    batch.removeAll(keepingCapacity: true)
                } else if !mayWait {
                    state.dropped += batch.count
                    batch.removeAll(keepingCapacity: true)
                    return (true, false)
                } else {
                    return (false, false)
                }
                return (true, state.consumerWaiting)
            }
            if outcome.wake { state.broadcast() }
            if outcome.accepted { return }
        }
    }

    /// Says that one producer will push no more.
    public func finish() {
        let wake = state.withLock { state in
            state.producersFinished += 1
            return state.consumerWaiting
        }
        if wake { state.broadcast() }
    }

    /// Takes everything pending into `batch` (which must be empty), sleeping up to `timeoutMicroseconds` until
    /// something arrives. Returns false once every producer has finished and nothing is left.
    /// Called on the detection thread.
    public func take(into batch: inout [RecordEvent], timeoutMicroseconds: Int = 250_000) -> Bool {
        let producers = producers
        let (more, wakeProducers): (Bool, Bool) = state.wait(
            until: { !$0.pending.isEmpty || $0.producersFinished >= producers },
            timeoutMicroseconds: timeoutMicroseconds,
            sleeping: { $0.consumerWaiting = true }, woke: { $0.consumerWaiting = false }) { state, _ in
            if !state.pending.isEmpty {
                swap(&state.pending, &batch)
                state.takes &+= 1
                return (true, state.producersWaiting > 0)
            }
            return (state.producersFinished < producers, false)
        }
        if wakeProducers { state.broadcast() }
        return more
    }

    /// The detection thread's progress for a liveness check (systemd's watchdog): how many batches it has taken
    /// so far and how many events wait now. Events waiting while `taken` stays the same: the thread is stuck.
    public var consumerProgress: (taken: UInt64, pending: Int) {
        state.withLock { ($0.takes, $0.pending.count) }
    }

    /// Batches accepted from producers and batches taken by the detection thread so far (each is one lock).
    public var batchCounts: (pushed: UInt64, taken: UInt64) {
        state.withLock { ($0.pushes, $0.takes) }
    }

    /// Events dropped because the detection thread fell behind (inline only).
    public var droppedEvents: Int { state.withLock { $0.dropped } }
}
