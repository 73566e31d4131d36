/// A capture timestamp in microseconds since the Unix epoch. Packet time drives flow expiry, so offline replay is
/// deterministic.
///
/// Arithmetic saturates: a forged or corrupt timestamp near `Int64.max` cannot trap a subtraction or wrap an
/// addition into the past. Sources clamp what they read with `init(sanitizingSeconds:fraction:)`.
public struct PacketTime: Hashable, Comparable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    /// The latest time sources accept: 9999-12-31T23:59:59Z. Later timestamps are clamped to it.
    public static let latest = PacketTime(microseconds: 253_402_300_799 * 1_000_000)

    /// Creates a time from microseconds since the epoch.
    @inlinable
    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// Creates a time from a `timeval`-like pair, saturating.
    @inlinable
    public init(seconds: Int64, microseconds: Int64) {
        self.microseconds = PacketTime.saturatingAdd(PacketTime.saturatingMultiply(seconds, 1_000_000), microseconds)
    }

    /// A capture timestamp as read from a file or the kernel: seconds plus a fraction in `unitsPerSecond`
    /// (1e6 for microseconds, 1e9 for nanoseconds), clamped to `0...latest` so later arithmetic stays in range.
    @inlinable
    public init(sanitizingSeconds seconds: Int64, fraction: Int64, unitsPerSecond: Int64 = 1_000_000) {
        let latestSeconds: Int64 = 253_402_300_799                   // `latest`, inlined (no global accessor)
        guard seconds >= 0, fraction >= 0, unitsPerSecond > 0 else { self.init(microseconds: 0); return }
        guard seconds <= latestSeconds else { self.init(microseconds: latestSeconds * 1_000_000); return }
        let extraSeconds = fraction / unitsPerSecond
        let rest = fraction % unitsPerSecond
        let micros = unitsPerSecond >= 1_000_000 ? rest / (unitsPerSecond / 1_000_000)
                                                 : rest * (1_000_000 / unitsPerSecond)
        let total = PacketTime.saturatingAdd(PacketTime.saturatingMultiply(seconds &+ extraSeconds, 1_000_000), micros)
        self.init(microseconds: min(total, latestSeconds * 1_000_000))
    }

    /// Seconds since the epoch as a floating-point value (Zeek's `ts`).
    @inlinable
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    /// The epoch itself; used as "no time yet".
    public static let zero = PacketTime(microseconds: 0)

    /// Compares two times.
    @inlinable
    public static func < (a: PacketTime, b: PacketTime) -> Bool { a.microseconds < b.microseconds }

    /// `a` moved by `b`, saturating at the ends of `Int64`.
    @inlinable
    public static func + (a: PacketTime, b: Duration) -> PacketTime {
        let (s, atto) = b.components
        let micros = saturatingAdd(saturatingMultiply(s, 1_000_000), atto / 1_000_000_000_000)
        return PacketTime(microseconds: saturatingAdd(a.microseconds, micros))
    }

    /// The time between two packet times, saturating.
    @inlinable
    public static func - (a: PacketTime, b: PacketTime) -> Duration {
        .microseconds(a.microseconds(since: b))
    }

    /// `self - other` in microseconds, saturating at the ends of `Int64`.
    @inlinable @inline(__always)
    public func microseconds(since other: PacketTime) -> Int64 {
        let (value, overflow) = microseconds.subtractingReportingOverflow(other.microseconds)
        if !overflow { return value }
        return other.microseconds < 0 ? .max : .min
    }

    /// This time moved by `delta` microseconds, saturating.
    @inlinable @inline(__always)
    public func adding(microseconds delta: Int64) -> PacketTime {
        PacketTime(microseconds: PacketTime.saturatingAdd(microseconds, delta))
    }

    /// Seconds with six decimals (`1700000000.123456`).
    public var description: String { String(format6: seconds) }

    @inlinable @inline(__always)
    @usableFromInline static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : value
    }

    @inlinable @inline(__always)
    @usableFromInline static func saturatingMultiply(_ a: Int64, _ b: Int64) -> Int64 {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? ((a < 0) != (b < 0) ? .min : .max) : value
    }
}

extension String {
    /// Formats with six decimals without Foundation (`1700000000.123456`).
    package init(format6 value: Double) {
        guard value.isFinite, abs(value) < 9.2e12 else { self = value < 0 ? "-inf" : "inf"; return }
        let micros = Int64((value * 1_000_000).rounded())
        let whole = micros / 1_000_000
        var fraction = String(abs(micros % 1_000_000))
        while fraction.count < 6 { fraction = "0" + fraction }
        self = (micros < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}
