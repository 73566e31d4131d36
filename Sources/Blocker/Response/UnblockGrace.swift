import NetCore
import Synchronization

/// Hosts an operator unblocked recently: the response stage does not block them again before the grace period
/// ends (`blocking.unblock_grace_period`). Any thread.
public final class UnblockGrace: Sendable {
    private let until = Mutex<[IPAddress: Double]>([:])
    /// Every address unblocked since each running `startRecording()` (by its number), while listings of the
    /// kernel's sets are under way: a listing may still hold their elements, which must not come back from it.
    private let recordings = Mutex<(next: Int, sets: [Int: Set<IPAddress>])>((0, [:]))
    /// The grace period in seconds.
    public let seconds: Double

    /// A grace period of `seconds`.
    public init(seconds: Int) { self.seconds = Double(max(0, seconds)) }

    /// Starts the grace period of `address` now.
    public func start(_ address: IPAddress) {
        until.withLock { $0[address] = MonotonicClock.now() + seconds }
        recordings.withLock { state in
            for key in state.sets.keys { state.sets[key]?.insert(address) }
        }
    }

    /// Starts recording every unblock (before a listing of the kernel's sets starts); the number to stop it with.
    public func startRecording() -> Int {
        recordings.withLock { state in
            state.next += 1
            state.sets[state.next] = []
            return state.next
        }
    }

    /// The addresses unblocked so far since `startRecording()` returned `recording` (it goes on).
    public func recorded(_ recording: Int) -> Set<IPAddress> {
        recordings.withLock { state in state.sets[recording] ?? [] }
    }

    /// The addresses unblocked since `startRecording()` returned `recording`; that recording stops.
    public func stopRecording(_ recording: Int) -> Set<IPAddress> {
        recordings.withLock { state in state.sets.removeValue(forKey: recording) ?? [] }
    }

    /// True while `address` is in its grace period.
    public func isInGrace(_ address: IPAddress) -> Bool {
        until.withLock { map in
            guard let end = map[address] else { return false }
            if MonotonicClock.now() < end { return true }
            map[address] = nil
            return false
        }
    }
}
