#if canImport(Glibc)
import Glibc
#endif
import NetCore

/// UTC times written as bytes for the output lines, without `gmtime`, `String` or allocation: the civil date is
/// computed from the day number (the proleptic Gregorian calendar in 400-year eras), so any microsecond time of
/// years 0…9999 formats the same on every run.
enum TimeBytes {
    /// Wall-clock time now (`CLOCK_REALTIME`, vDSO) in microseconds since 1970: IDMEFv2's `CreateTime`.
    static func wallClockMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) &* 1_000_000 &+ Int64(now.tv_nsec) / 1000
    }

    /// `2023-11-14T22:13:20.123456+00:00` (Python's `isoformat()` of an aware UTC time, as Slips writes).
    static func iso8601(_ time: PacketTime, into bytes: inout [UInt8]) {
        let t = Civil(microseconds: time.microseconds)
        t.date(separator: 0x2D, into: &bytes)
        bytes.append(0x54)
        t.clock(into: &bytes)
        bytes.append(0x2B)
        pad(0, 2, into: &bytes)
        bytes.append(0x3A)
        pad(0, 2, into: &bytes)
    }

    /// `2023/11/14 22:13:20.123456+0000`: Slips' `alerts_format` (`%Y/%m/%d %H:%M:%S.%f%z`).
    static func slipsAlertsFormat(_ time: PacketTime, into bytes: inout [UInt8]) {
        let t = Civil(microseconds: time.microseconds)
        t.date(separator: 0x2F, into: &bytes)
        bytes.append(0x20)
        t.clock(into: &bytes)
        bytes.append(0x2B)
        pad(0, 4, into: &bytes)
    }

    /// `value` in decimal, left-padded with zeros to `width` digits.
    static func pad(_ value: Int, _ width: Int, into bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<max(width, 1) { divisor *= 10 }
        var rest = max(value, 0)
        while divisor * 10 <= rest { divisor *= 10 }
        while divisor > 0 {
            bytes.append(0x30 + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// A UTC time split into calendar fields.
    private struct Civil {
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0

        init(microseconds: Int64) {
            // Floor division, so times before 1970 land in the right second and day.
            let seconds = Int(microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000)
            micros = Int(microseconds - Int64(seconds) * 1_000_000)
            let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let inDay = seconds - days * 86_400
            hour = inDay / 3600
            minute = inDay % 3600 / 60
            second = inDay % 60
            // Days since 0000-03-01 in eras of 146 097 days; March-based years put the leap day last.
            let shifted = days + 719_468
            let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
            let dayOfEra = shifted - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let monthFromMarch = (5 * dayOfYear + 2) / 153
            day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
            month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
            year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        }

        func date(separator: UInt8, into bytes: inout [UInt8]) {
            TimeBytes.pad(year, 4, into: &bytes)
            bytes.append(separator)
            TimeBytes.pad(month, 2, into: &bytes)
            bytes.append(separator)
            TimeBytes.pad(day, 2, into: &bytes)
        }

        /// `HH:MM:SS.ffffff`
        func clock(into bytes: inout [UInt8]) {
            TimeBytes.pad(hour, 2, into: &bytes)
            bytes.append(0x3A)
            TimeBytes.pad(minute, 2, into: &bytes)
            bytes.append(0x3A)
            TimeBytes.pad(second, 2, into: &bytes)
            bytes.append(0x2E)
            TimeBytes.pad(micros, 6, into: &bytes)
        }
    }
}

/// `TimeBytes.iso8601` with the text up to the second's point kept for the last second written: evidence and its
/// lines come in runs of one second, so the calendar is computed once per second, not once per line. The bytes
/// are exactly `TimeBytes.iso8601`'s. One per stream of times (packet times, wall-clock times), so two streams do
/// not evict each other. Confined to its owner's thread.
struct ISO8601Cache {
    private var second = Int64.min
    /// `YYYY-MM-DDTHH:MM:SS.` of `second`.
    private var head: [UInt8] = []

    init() { head.reserveCapacity(24) }

    /// Appends `time` as `TimeBytes.iso8601` writes it.
    mutating func write(_ time: PacketTime, into bytes: inout [UInt8]) {
        let micros = time.microseconds
        // Floor division, as `TimeBytes` does, so times before 1970 keep their second and a positive fraction.
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        if seconds != second {
            head.removeAll(keepingCapacity: true)
            TimeBytes.iso8601(PacketTime(microseconds: seconds &* 1_000_000), into: &head)
            head.removeLast(13)                     // ".000000+00:00": "…SS" is left, then its point
            head.append(0x2E)
            second = seconds
        }
        bytes.append(contentsOf: head)
        TimeBytes.pad(Int(micros &- seconds &* 1_000_000), 6, into: &bytes)
        bytes.append(contentsOf: "+00:00".utf8)
    }
}
