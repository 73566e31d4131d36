/// The counts at which a growing count (distinct scan targets, attempts) is reported: first at a minimum, then
/// again at each higher level, never in between (Slips reports port scans at more than 5, then 10, 100, 1000).
public struct ReportLevels: Sendable, Equatable {
    /// Ascending, distinct, all ≥ 1.
    public let levels: [Int]

    /// Levels from `minimum` and the `further` levels above it (levels ≤ `minimum` are ignored).
    public init(minimum: Int, further: [Int]) {
        let first = max(1, minimum)
        levels = [first] + Set(further.filter { $0 > first }).sorted()
    }

    /// The highest level: counting past it can never produce another report.
    public var top: Int { levels[levels.count - 1] }

    /// True when `count` reached the level at `next`; `next` then moves past every level `count` reached, so a
    /// jump over several levels produces one report.
    public func reached(_ count: Int, next: inout Int) -> Bool {
        guard next < levels.count, count >= levels[next] else { return false }
        while next < levels.count, count >= levels[next] { next += 1 }
        return true
    }

    /// True when every level has been reported.
    public func isDone(next: Int) -> Bool { next >= levels.count }
}
