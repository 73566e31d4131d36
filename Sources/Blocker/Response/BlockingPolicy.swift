import NetCore

/// How long an alert blocks its profile's IP: Slips' "until the end of the next time window" by default, a fixed
/// duration, and optional doubling for repeat offenders, capped.
public struct BlockingPolicy: Sendable, Hashable {
    /// Fixed duration in seconds; 0 means "until the end of the next time window" (Slips).
    public var fixedSeconds: Int
    /// Double the duration for each earlier block of the same IP in this run.
    public var escalate: Bool
    /// The longest block, in seconds.
    public var maxSeconds: Int
    /// How far an alert whose evidence is not verified blocks (`blocking.unverified_alerts`): only the
    /// connections the host opens (default), or everything as for verified alerts.
    public var unverifiedScope: BlockScope

    /// Creates a policy (`blocking.duration`, `blocking.escalate`, `blocking.max_duration`,
    /// `blocking.unverified_alerts`).
    public init(fixedSeconds: Int = 0, escalate: Bool = false, maxSeconds: Int = 7 * 24 * 3600,
                unverifiedScope: BlockScope = .newConnections) {
        self.fixedSeconds = fixedSeconds; self.escalate = escalate; self.maxSeconds = maxSeconds
        self.unverifiedScope = unverifiedScope
    }

    /// The scope of a block for a request.
    public func scope(for request: BlockRequest) -> BlockScope { request.verified ? .full : unverifiedScope }

    /// The block duration in seconds (at least 1).
    /// - Parameters:
    ///   - alertTime: packet time of the alert.
    ///   - windowEnd: end of the alert's time window (nil when the run has a single unbounded window).
    ///   - windowWidthMicroseconds: the time-window width.
    ///   - previousBlocks: how often this IP was blocked before in this run.
    public func seconds(alertTime: PacketTime, windowEnd: PacketTime?, windowWidthMicroseconds: Int64,
                        previousBlocks: Int) -> Int {
        var base = fixedSeconds
        if base <= 0 {
            let end = (windowEnd ?? alertTime).adding(microseconds: windowWidthMicroseconds)
            base = Int(max(1, (end.microseconds(since: alertTime) + 999_999) / 1_000_000))
        }
        if escalate && previousBlocks > 0 {
            let (doubled, overflow) = base.multipliedReportingOverflow(by: 1 << min(previousBlocks, 20))
            base = overflow ? maxSeconds : doubled
        }
        return max(1, min(base, maxSeconds))
    }
}
