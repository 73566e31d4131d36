import NetCore
import Records

/// Slips' time windows: `number = floor((ts - firstTimestamp) / width) + 1`, so a timestamp exactly on a
/// boundary belongs to the next window. With `onlyOneWindow` (Slips' `only_one_tw`) every timestamp is in window
/// 1, whose width is Slips' `onlyOneWindowWidthSeconds` and which starts 100 years before the first timestamp, as
/// Slips' `get_timewindow` makes it.
public struct TimeWindowClock: Sendable {
    /// Window width in microseconds.
    public let widthMicroseconds: Int64
    /// `parameters.only_one_tw`: every time is in window 1, which ends at `endOfTime`.
    public let onlyOneWindow: Bool
    /// The first timestamp of the run (set by the first call to `window(for:)`).
    public private(set) var firstTimestamp: PacketTime?

    /// - Parameters:
    ///   - widthSeconds: `parameters.time_window_width`.
    ///   - onlyOneWindow: `parameters.only_one_tw`.
    public init(widthSeconds: Double, onlyOneWindow: Bool) {
        let micros = (widthSeconds * 1_000_000).rounded()
        // A NaN, negative or absurd width (not reachable from the YAML ranges) cannot trap: 1 µs ... Int64.max.
        widthMicroseconds = micros.isNaN || micros < 1 ? 1 : micros >= 9.2e18 ? .max : Int64(micros)
        self.onlyOneWindow = onlyOneWindow
    }

    /// Starts the clock at `time` if it has not started.
    public mutating func start(at time: PacketTime) {
        if firstTimestamp == nil { firstTimestamp = time }
    }

    /// The window `time` falls in. The clock starts at the first time it sees; earlier times (out-of-order
    /// packets of the first moments) belong to window 1. With `onlyOneWindow` the one window ends at the end of
    /// time (`endOfTime`), so no sweep ever finds it ended. Arithmetic saturates: no time traps it.
    public mutating func window(for time: PacketTime) -> TimeWindow {
        start(at: time)
        let first = firstTimestamp ?? time
        if onlyOneWindow { return Self.onlyWindow(first: first) }
        let offset = max(0, time.microseconds(since: first))
        let index = offset / widthMicroseconds
        let start = first.adding(microseconds: index.multipliedReportingOverflow(by: widthMicroseconds).partialValue)
        return TimeWindow(number: Int(clamping: index) &+ 1, start: start,
                          end: start.adding(microseconds: widthMicroseconds))
    }

    /// The end of the single window of `only_one_tw`: the latest representable packet time.
    public static let endOfTime = PacketTime(microseconds: .max)

    /// Slips' width of the one window of `only_one_tw` (`config_parser.get_tw_width_in_seconds`): 9999999999 s.
    /// The alert threshold is computed with it (`DetectionSettings.effectiveWindowWidth`).
    public static let onlyOneWindowWidthSeconds: Double = 9_999_999_999

    /// How far before the first timestamp the one window of `only_one_tw` starts (Slips: 100 × 31536000 s), so
    /// that records older than the first one still fall inside it.
    public static let onlyOneWindowLeadMicroseconds: Int64 = 100 * 31_536_000 * 1_000_000

    /// The one window of `only_one_tw`: number 1, from 100 years before `first` to `endOfTime` (Slips' end,
    /// start + 9999999999 s, is as unreachable; the end of time also keeps every sweep from finding it ended).
    static func onlyWindow(first: PacketTime) -> TimeWindow {
        TimeWindow(number: 1, start: first.adding(microseconds: -onlyOneWindowLeadMicroseconds), end: endOfTime)
    }

    /// Window `number` (1-based) of this run, from its number rather than from a time inside it (a closed window
    /// keeps its own bounds when packet time jumped several windows ahead). Window 1 when the clock has not started
    /// or with `onlyOneWindow`.
    public func window(number: Int) -> TimeWindow {
        let first = firstTimestamp ?? .zero
        if onlyOneWindow || number <= 1 {
            return onlyOneWindow ? Self.onlyWindow(first: first)
                                 : TimeWindow(number: 1, start: first, end: first.adding(microseconds: widthMicroseconds))
        }
        let (offset, overflow) = Int64(number - 1).multipliedReportingOverflow(by: widthMicroseconds)
        let start = first.adding(microseconds: overflow ? .max : offset)
        return TimeWindow(number: number, start: start, end: start.adding(microseconds: widthMicroseconds))
    }

    /// The window `time` falls in, without starting the clock (window 1 before it started).
    public func peekWindow(for time: PacketTime) -> TimeWindow {
        var copy = self
        return copy.window(for: time)
    }
}
