import NetCore
import Synchronization

/// Hands batches of `RecordEvent`s from capture threads to the detection thread.
///
/// Producers fill a thread-local array and `push` it; the arrays are swapped, not copied, and keep their
/// capacity, so steady-state hand-over allocates nothing. One lock per batch, never per packet.
public final class RecordHandoff: Sendable {
    private struct State: ~Copyable {
        var pending: [RecordEvent] = []
        var producersFinished = 0
        var dropped = 0
        var takes: UInt64 = 0
    }

    private let state = Mutex(State())
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
        while true {
            let accepted: Bool = state.withLock { state in
                if state.pending.isEmpty {
                    swap(&state.pending, &batch)
                    return true
                }
                if state.pending.count >= capacity {
                    if producersMayWait { return false }
                    state.dropped += batch.count
                    batch.removeAll(keepingCapacity: true)
                    return true
                }
                state.pending.append(contentsOf: batch)
                batch.removeAll(keepingCapacity: true)
                return true
            }
            if accepted { return }
            Self.pause(microseconds: 200)
        }
    }

    /// Says that one producer will push no more.
    public func finish() {
        state.withLock { $0.producersFinished += 1 }
    }

    /// Takes everything pending into `batch` (which must be empty), waiting up to `timeoutMicroseconds` for
    /// something to arrive. Returns false once every producer has finished and nothing is left.
    /// Called on the detection thread.
    public func take(into batch: inout [RecordEvent], timeoutMicroseconds: Int = 5_000) -> Bool {
        var waited = 0
        var step = 50
        while true {
            let (gotSome, done): (Bool, Bool) = state.withLock { state in
                if !state.pending.isEmpty {
                    swap(&state.pending, &batch)
                    state.takes &+= 1
                    return (true, false)
                }
                return (false, state.producersFinished >= producers)
            }
            if gotSome { return true }
            if done { return false }
            if waited >= timeoutMicroseconds { return true }
            Self.pause(microseconds: step)
            waited += step
            step = min(step * 2, 1_000)
        }
    }

    /// The detection thread's progress for a liveness check (systemd's watchdog): how many batches it has taken
    /// so far and how many events wait now. Events waiting while `taken` stays the same: the thread is stuck.
    public var consumerProgress: (taken: UInt64, pending: Int) {
        state.withLock { ($0.takes, $0.pending.count) }
    }

    /// Events dropped because the detection thread fell behind (inline only).
    public var droppedEvents: Int { state.withLock { $0.dropped } }

    private static func pause(microseconds: Int) { MonotonicClock.sleep(microseconds: microseconds) }
}
