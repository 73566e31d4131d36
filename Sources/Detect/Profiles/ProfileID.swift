import NetCore
import Records

/// A profile: everything slipsd knows about one IP address. Printed as Slips does: `profile_10.0.0.1`.
public struct ProfileID: Sendable, Hashable, CustomStringConvertible {
    public var ip: IPAddress
    public init(ip: IPAddress) { self.ip = ip }
    public var description: String { "profile_\(ip)" }
}

/// A time window of a profile: `number = floor((ts - firstTimestamp) / width) + 1`; a flow exactly on a boundary
/// belongs to the next window.
public struct TimeWindow: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1-based window number.
    public var number: Int
    /// Start and end (exclusive) in packet time.
    public var start: PacketTime
    public var end: PacketTime
    public init(number: Int, start: PacketTime, end: PacketTime) {
        self.number = number; self.start = start; self.end = end
    }
    /// `timewindow3`.
    public var description: String { "timewindow\(number)" }
    public static func < (a: TimeWindow, b: TimeWindow) -> Bool { a.number < b.number }
}
