import Capture

/// How long an alert blocks its profile's IP.
public struct BlockingPolicy: Sendable {
    /// Fixed duration in seconds; 0 means "until the end of the next time window" (Slips).
    public var fixedSeconds: Int
    /// Double the duration for each earlier block of the same IP in this run.
    public var escalate: Bool
    public var maxSeconds: Int

    public init(fixedSeconds: Int = 0, escalate: Bool = false, maxSeconds: Int = 7 * 24 * 3600) {
        self.fixedSeconds = fixedSeconds; self.escalate = escalate; self.maxSeconds = maxSeconds
    }

    /// The block duration for an alert at `alertTime` in `window` (width in µs), given earlier blocks.
    public func seconds(alertTime: PacketTime, window: TimeWindow, widthMicroseconds: Int64, previousBlocks: Int) -> Int {
        var base = fixedSeconds
        if base == 0 {
            let end = window.end.microseconds == .max ? alertTime.microseconds + widthMicroseconds
                                                      : window.end.microseconds + widthMicroseconds
            base = Int(max(1, (end - alertTime.microseconds + 999_999) / 1_000_000))
        }
        if escalate && previousBlocks > 0 {
            base = base << min(previousBlocks, 20)
        }
        return min(base, maxSeconds)
    }
}
