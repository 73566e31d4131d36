/// A capture timestamp in microseconds since the Unix epoch. Packet time drives flow expiry, so offline replay is
/// deterministic.
public struct PacketTime: Hashable, Comparable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    /// Creates a time from microseconds since the epoch.
    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// Creates a time from a `timeval`-like pair.
    public init(seconds: Int64, microseconds: Int64) { self.microseconds = seconds &* 1_000_000 &+ microseconds }

    /// Seconds since the epoch as a floating-point value (Zeek's `ts`).
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    /// The epoch itself; used as "no time yet".
    public static let zero = PacketTime(microseconds: 0)

    public static func < (a: PacketTime, b: PacketTime) -> Bool { a.microseconds < b.microseconds }
    public static func + (a: PacketTime, b: Duration) -> PacketTime {
        let (s, atto) = b.components
        return PacketTime(microseconds: a.microseconds &+ s &* 1_000_000 &+ atto / 1_000_000_000_000)
    }
    public static func - (a: PacketTime, b: PacketTime) -> Duration { .microseconds(a.microseconds - b.microseconds) }

    public var description: String { String(format6: seconds) }
}

extension String {
    /// Formats with six decimals without Foundation (`1700000000.123456`).
    init(format6 value: Double) {
        let micros = Int64((value * 1_000_000).rounded())
        let whole = micros / 1_000_000
        var fraction = String(abs(micros % 1_000_000))
        while fraction.count < 6 { fraction = "0" + fraction }
        self = (micros < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}
