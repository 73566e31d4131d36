#if canImport(Glibc)
import Glibc
#endif

/// Time formatting for output lines, without Foundation.
public enum TimeText {
    /// `2021-09-21 11:57:25` (UTC).
    public static func human(_ time: PacketTime) -> String {
        let (date, clock) = parts(time)
        return "\(date) \(clock)"
    }

    /// `2021-09-21T11:57:25.783595+00:00`.
    public static func iso8601(_ time: PacketTime) -> String {
        let (date, clock) = parts(time)
        let micros = Int(((time.microseconds % 1_000_000) + 1_000_000) % 1_000_000)
        return "\(date)T\(clock).\(pad(micros, 6))+00:00"
    }

    private static func parts(_ time: PacketTime) -> (String, String) {
        var seconds = time_t(time.microseconds / 1_000_000)
        var t = tm()
        gmtime_r(&seconds, &t)
        return ("\(pad(Int(t.tm_year) + 1900, 4))-\(pad(Int(t.tm_mon) + 1, 2))-\(pad(Int(t.tm_mday), 2))",
                "\(pad(Int(t.tm_hour), 2)):\(pad(Int(t.tm_min), 2)):\(pad(Int(t.tm_sec), 2))")
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        var text = String(value)
        while text.count < width { text = "0" + text }
        return text
    }
}
