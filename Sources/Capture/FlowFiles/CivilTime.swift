/// Calendar timestamps of flow files as microseconds since the Unix epoch, read from bytes.
///
/// Accepted: `2018/12/18 14:00:00.075359` (Argus), `2023-11-14 22:13:20[.123]` (nfdump), and ISO 8601 with an
/// offset, `2021-06-06T16:38:55.855844+0200`, `…+02:00` or `…Z` (Suricata). A time without an offset is taken
/// as UTC (Argus and nfdump print local time; slipsd runs nfdump with `TZ=UTC`). Days are counted from the
/// proleptic Gregorian calendar with the usual era arithmetic, no table and no `Foundation`.
enum CivilTime {
    /// The timestamp in `bytes`, or nil when it is not one of the accepted forms or a field is out of range.
    static func microseconds(_ bytes: FieldBytes) -> Int64? {
        var cursor = Cursor(bytes: bytes)
        guard let year = cursor.number(digits: 4), cursor.skip(oneOf: 0x2F, 0x2D),      // '/' '-'
              let month = cursor.number(digits: 2), cursor.skip(oneOf: 0x2F, 0x2D),
              let day = cursor.number(digits: 2), cursor.skip(oneOf: 0x20, 0x54),        // ' ' 'T'
              let hour = cursor.number(digits: 2), cursor.skip(oneOf: 0x3A, 0x3A),
              let minute = cursor.number(digits: 2), cursor.skip(oneOf: 0x3A, 0x3A),
              let second = cursor.number(digits: 2) else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var micros: Int64 = 0
        if cursor.skip(oneOf: 0x2E, 0x2E) {                                               // '.'
            var scale: Int64 = 100_000
            var any = false
            while let digit = cursor.digit() {
                if scale > 0 { micros += Int64(digit) * scale; scale /= 10 }
                any = true
            }
            guard any else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if cursor.skip(oneOf: 0x5A, 0x7A) {                                               // 'Z'
        } else if let sign = cursor.sign() {
            guard let hours = cursor.number(digits: 2) else { return nil }
            _ = cursor.skip(oneOf: 0x3A, 0x3A)
            guard let minutes = cursor.number(digits: 2), hours < 24, minutes < 60 else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        guard cursor.atEnd else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000 + micros
    }

    /// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (negative before it).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        // Count from March 1st so the leap day ends a year; eras of 400 years have 146,097 days.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Reads a timestamp left to right.
    private struct Cursor {
        let bytes: FieldBytes
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func digit() -> Int64? {
            guard index < bytes.count else { return nil }
            let value = bytes[index] &- 0x30
            guard value < 10 else { return nil }
            index += 1
            return Int64(value)
        }

        mutating func number(digits: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<digits {
                guard let next = digit() else { return nil }
                value = value * 10 + next
            }
            return value
        }

        mutating func skip(oneOf first: UInt8, _ second: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == first || bytes[index] == second else { return false }
            index += 1
            return true
        }

        mutating func sign() -> Int64? {
            if skip(oneOf: 0x2B, 0x2B) { return 1 }      // '+'
            if skip(oneOf: 0x2D, 0x2D) { return -1 }     // '-'
            return nil
        }
    }
}
