import NetCore
import Synchronization

/// Hosts an operator unblocked recently: the response stage does not block them again before the grace period
/// ends (`blocking.unblock_grace_period`). Any thread.
public final class UnblockGrace: Sendable {
    private let until = Mutex<[IPAddress: Double]>([:])
    /// Every address unblocked since `startRecording()`, while a listing of the kernel's sets is under way (nil
    /// when none is): the listing may still hold their elements, which must not come back from it.
    private let recorded = Mutex<Set<IPAddress>?>(nil)
    /// The grace period in seconds.
    public let seconds: Double

    /// A grace period of `seconds`.
    public init(seconds: Int) { self.seconds = Double(max(0, seconds)) }

    /// Starts the grace period of `address` now.
    public func start(_ address: IPAddress) {
        until.withLock { $0[address] = MonotonicClock.now() + seconds }
        recorded.withLock { $0?.insert(address) }
    }

    /// Starts recording every unblock (`KernelBlockLearning`, before its listing starts).
    public func startRecording() { recorded.withLock { $0 = [] } }

    /// The addresses unblocked since `startRecording()`; recording stops.
    public func stopRecording() -> Set<IPAddress> {
        recorded.withLock { set in
            defer { set = nil }
            return set ?? []
        }
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
