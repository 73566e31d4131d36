import NetCore
import Records

/// Decides when a detector's periodic clean-up runs, in packet time: at most once per `interval`.
public struct SweepSchedule {
    /// Packet time between clean-ups.
    public let interval: Duration
    private var last: PacketTime?

    /// Creates a schedule; the first call to `isDue` starts it and returns false.
    public init(interval: Duration) { self.interval = interval }

    /// True when at least `interval` passed since the last clean-up (and records `now` as that clean-up).
    public mutating func isDue(now: PacketTime) -> Bool {
        guard let last else {
            self.last = now
            return false
        }
        guard now - last >= interval else { return false }
        self.last = now
        return true
    }
}
