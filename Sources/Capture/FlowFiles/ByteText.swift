import NetCore

/// A field of a flow-file line: bytes borrowed from the reader's buffer, valid only while the line is handled.
public typealias FieldBytes = UnsafeBufferPointer<UInt8>

/// Reads numbers, addresses and words straight from the bytes of a line, without making a `String` on the common
/// paths (digits, dotted IPv4). Every function is total: it returns nil for text it does not accept.
enum ByteText {
    /// The bytes of `line` in `range` as their own buffer (no copy).
    @inline(__always)
    static func slice(_ line: FieldBytes, _ range: Range<Int>) -> FieldBytes {
        FieldBytes(rebasing: line[range])
    }

    /// `bytes` without leading and trailing spaces, tabs and carriage returns.
    static func trimmed(_ bytes: FieldBytes) -> FieldBytes {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return slice(bytes, start..<end)
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    /// True when `bytes` spell `literal` exactly (ASCII, case-sensitive).
    @inline(__always)
    static func equals(_ bytes: FieldBytes, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        for index in 0..<bytes.count where bytes[index] != other[index] { return false }
        return true
    }

    /// True when `bytes` spell `literal` ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: FieldBytes, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        for index in 0..<bytes.count where lower(bytes[index]) != lower(other[index]) { return false }
        return true
    }

    /// True when `bytes` begin with `literal`.
    static func hasPrefix(_ bytes: FieldBytes, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return equals(slice(bytes, 0..<count), literal)
    }

    /// True when `literal` occurs anywhere in `bytes`.
    static func contains(_ bytes: FieldBytes, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard count > 0, bytes.count >= count else { return count == 0 }
        for start in 0...(bytes.count - count) where equals(slice(bytes, start..<start + count), literal) {
            return true
        }
        return false
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// The bytes as a `String` (invalid UTF-8 repaired), for the few fields kept as text.
    static func string(_ bytes: FieldBytes) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A non-negative decimal integer (`0`, `1077`); nil when empty, not all digits, or above `UInt64.max`.
    @inline(__always)
    static func unsigned(_ bytes: FieldBytes) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit = byte &- 0x30
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }

    /// A port: decimal (`443`) or hexadecimal with `0x` (Argus writes ICMP types so: `0x0008`); nil above 65535.
    static func port(_ bytes: FieldBytes) -> UInt16? {
        if bytes.count > 2, bytes[0] == 0x30, lower(bytes[1]) == 0x78 {
            var value: UInt32 = 0
            for byte in slice(bytes, 2..<bytes.count) {
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x61...0x66: digit = byte - 0x61 + 10
                case 0x41...0x46: digit = byte - 0x41 + 10
                default: return nil
                }
                value = value * 16 + UInt32(digit)
                guard value <= 0xFFFF else { return nil }
            }
            return UInt16(value)
        }
        guard let value = unsigned(bytes), value <= 0xFFFF else { return nil }
        return UInt16(value)
    }

    /// A decimal number of seconds (`928.943457`, `0.000012`, `-`-less), as microseconds: at most six decimals
    /// are kept (further digits are dropped, not rounded, as a `timeval` would). Exponent forms (`1.2e-05`) are read
    /// through `Double`. Nil for anything else or for more than about 292,000 years.
    static func microseconds(_ bytes: FieldBytes) -> Int64? {
        guard !bytes.isEmpty else { return nil }
        var index = 0
        var negative = false
        if bytes[0] == 0x2D { negative = true; index = 1 }          // '-'
        var whole: Int64 = 0
        var sawDigit = false
        while index < bytes.count {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { break }
            guard whole < 9_000_000_000_000 else { return nil }
            whole = whole * 10 + Int64(digit)
            sawDigit = true
            index += 1
        }
        var fraction: Int64 = 0
        var scale: Int64 = 100_000
        if index < bytes.count, bytes[index] == 0x2E {              // '.'
            index += 1
            while index < bytes.count {
                let digit = bytes[index] &- 0x30
                guard digit < 10 else { break }
                if scale > 0 { fraction += Int64(digit) * scale; scale /= 10 }
                sawDigit = true
                index += 1
            }
        }
        if index < bytes.count, bytes[index] == 0x65 || bytes[index] == 0x45 {   // exponent: rare, slow path
            guard let value = Double(string(bytes)), value.isFinite, abs(value) < 9e12 else { return nil }
            return Int64((value * 1_000_000).rounded(.towardZero))
        }
        guard sawDigit, index == bytes.count else { return nil }
        let total = whole * 1_000_000 + fraction
        return negative ? -total : total
    }

    /// A dotted-quad IPv4 address parsed from the bytes, or any address `IPAddress(String)` accepts (IPv6 text
    /// with `:`). Nil for MAC addresses, `0`, names and the rest.
    static func ipAddress(_ bytes: FieldBytes) -> IPAddress? {
        if let v4 = ipv4(bytes) { return IPAddress(ipv4: v4) }
        guard bytes.contains(0x3A) else { return nil }                  // ':' — IPv6 or a MAC address
        return IPAddress(string(bytes))
    }

    /// Four decimal octets 0...255 separated by dots (a leading zero is read as decimal, never as octal).
    @inline(__always)
    static func ipv4(_ bytes: FieldBytes) -> UInt32? {
        guard bytes.count >= 7, bytes.count <= 15 else { return nil }
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in bytes {
            if byte == 0x2E {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                octet = 0; digits = 0; dots += 1
                continue
            }
            let digit = byte &- 0x30
            guard digit < 10, digits < 3 else { return nil }
            octet = octet * 10 + UInt32(digit)
            guard octet <= 255 else { return nil }
            digits += 1
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }
}
