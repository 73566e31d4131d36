import NetCore
import Synchronization

/// Hosts an operator unblocked recently: the response stage does not block them again before the grace period
/// ends (`blocking.unblock_grace_period`). Any thread.
public final class UnblockGrace: Sendable {
    private let until = Mutex<[IPAddress: Double]>([:])
    /// The grace period in seconds.
    public let seconds: Double

    /// A grace period of `seconds`.
    public init(seconds: Int) { self.seconds = Double(max(0, seconds)) }

    /// Starts the grace period of `address` now.
    public func start(_ address: IPAddress) { until.withLock { $0[address] = MonotonicClock.now() + seconds } }

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
