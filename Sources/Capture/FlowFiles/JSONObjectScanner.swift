/// A value inside one JSON line, as bytes of that line: what kind it is and where it lies. Strings are the bytes
/// between the quotes, still escaped when `escaped` is true; objects and arrays include their brackets.
struct JSONValue {
    /// The JSON kinds.
    enum Kind { case string, number, bool, null, object, array }
    var kind: Kind
    var bytes: FieldBytes
    /// A string that contains backslash escapes (decode it with `JSONObjectScanner.decodedString`).
    var escaped: Bool
}

/// Walks the members of a JSON object straight over the bytes of a line: no tree, no `String` per key, no
/// allocation. Chosen over `JSONSerialization` and `JSONDecoder` by measurement (see the README's "Flow files").
///
/// What it checks: the structure of the object it walks (quotes, colons, commas, the closing brace, nothing after
/// it), literals, the characters of numbers, control characters inside strings. Nested objects and arrays are
/// skipped by bracket depth and checked only when the caller walks into them. Duplicate keys are all reported.
enum JSONObjectScanner {
    /// Calls `body` with each key (raw bytes, without quotes) and value of the object in `bytes`.
    /// - Returns: nil when the object is well formed, else what is wrong and at which byte.
    static func forEachMember(in bytes: FieldBytes, _ body: (FieldBytes, JSONValue) -> Void) -> String? {
        var i = skipSpace(bytes, 0)
        guard i < bytes.count, bytes[i] == 0x7B else { return "not a JSON object (no '{' at the start)" }   // '{'
        i = skipSpace(bytes, i + 1)
        if i < bytes.count, bytes[i] == 0x7D { return trailing(bytes, i + 1) }                               // '}'
        while true {
            guard i < bytes.count, bytes[i] == 0x22 else { return "expected a key at byte \(i + 1)" }      // '"'
            guard let (keyEnd, _) = stringEnd(bytes, i + 1) else { return "unterminated key at byte \(i + 1)" }
            let key = ByteText.slice(bytes, (i + 1)..<keyEnd)
            i = skipSpace(bytes, keyEnd + 1)
            guard i < bytes.count, bytes[i] == 0x3A else { return "expected ':' at byte \(i + 1)" }         // ':'
            i = skipSpace(bytes, i + 1)
            guard let (value, next) = scanValue(bytes, i) else { return "bad value at byte \(i + 1)" }
            body(key, value)
            i = skipSpace(bytes, next)
            guard i < bytes.count else { return "the object is not closed (truncated?)" }
            if bytes[i] == 0x2C { i = skipSpace(bytes, i + 1); continue }                                   // ','
            guard bytes[i] == 0x7D else { return "expected ',' or '}' at byte \(i + 1)" }
            return trailing(bytes, i + 1)
        }
    }

    /// Calls `body` with each element of the array in `bytes` (brackets included, as `JSONValue.bytes` of an
    /// array holds them).
    /// - Returns: nil when the array is well formed, else what is wrong.
    static func forEachElement(in bytes: FieldBytes, _ body: (JSONValue) -> Void) -> String? {
        var i = skipSpace(bytes, 0)
        guard i < bytes.count, bytes[i] == 0x5B else { return "not a JSON array" }                          // '['
        i = skipSpace(bytes, i + 1)
        if i < bytes.count, bytes[i] == 0x5D { return trailing(bytes, i + 1) }                               // ']'
        while true {
            guard let (value, next) = scanValue(bytes, i) else { return "bad array element at byte \(i + 1)" }
            body(value)
            i = skipSpace(bytes, next)
            guard i < bytes.count else { return "the array is not closed" }
            if bytes[i] == 0x2C { i = skipSpace(bytes, i + 1); continue }
            guard bytes[i] == 0x5D else { return "expected ',' or ']' at byte \(i + 1)" }
            return trailing(bytes, i + 1)
        }
    }

    private static func trailing(_ bytes: FieldBytes, _ from: Int) -> String? {
        skipSpace(bytes, from) == bytes.count ? nil : "characters after the object at byte \(from + 1)"
    }

    @inline(__always)
    private static func skipSpace(_ bytes: FieldBytes, _ from: Int) -> Int {
        var i = from
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
        return i
    }

    /// The index of the closing quote of a string whose contents start at `from`, and whether it has escapes.
    @inline(__always)
    private static func stringEnd(_ bytes: FieldBytes, _ from: Int) -> (Int, Bool)? {
        var i = from
        var escaped = false
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x22 { return (i, escaped) }
            if byte == 0x5C { escaped = true; i += 2; continue }       // '\\': the next byte is escaped
            if byte < 0x20 { return nil }                               // raw control character
            i += 1
        }
        return nil
    }

    /// The value starting at `i` and the index just past it.
    private static func scanValue(_ bytes: FieldBytes, _ i: Int) -> (JSONValue, Int)? {
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case 0x22:
            guard let (end, escaped) = stringEnd(bytes, i + 1) else { return nil }
            return (JSONValue(kind: .string, bytes: ByteText.slice(bytes, (i + 1)..<end), escaped: escaped), end + 1)
        case 0x7B, 0x5B:                                                 // '{' '['
            guard let end = containerEnd(bytes, i) else { return nil }
            let kind: JSONValue.Kind = bytes[i] == 0x7B ? .object : .array
            return (JSONValue(kind: kind, bytes: ByteText.slice(bytes, i..<end), escaped: false), end)
        case 0x74: return literal(bytes, i, "true", .bool)
        case 0x66: return literal(bytes, i, "false", .bool)
        case 0x6E: return literal(bytes, i, "null", .null)
        default:
            var end = i
            while end < bytes.count {
                let byte = bytes[end]
                guard (byte &- 0x30) < 10 || byte == 0x2D || byte == 0x2B || byte == 0x2E || byte == 0x65 || byte == 0x45
                else { break }
                end += 1
            }
            guard end > i else { return nil }
            return (JSONValue(kind: .number, bytes: ByteText.slice(bytes, i..<end), escaped: false), end)
        }
    }

    private static func literal(_ bytes: FieldBytes, _ i: Int, _ word: StaticString,
                                _ kind: JSONValue.Kind) -> (JSONValue, Int)? {
        let end = i + word.utf8CodeUnitCount
        guard end <= bytes.count, ByteText.equals(ByteText.slice(bytes, i..<end), word) else { return nil }
        return (JSONValue(kind: kind, bytes: ByteText.slice(bytes, i..<end), escaped: false), end)
    }

    /// Just past the bracket that closes the object or array opening at `i` (strings inside are skipped whole).
    private static func containerEnd(_ bytes: FieldBytes, _ i: Int) -> Int? {
        var depth = 0
        var j = i
        while j < bytes.count {
            switch bytes[j] {
            case 0x22:
                guard let (end, _) = stringEnd(bytes, j + 1) else { return nil }
                j = end
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D:
                depth -= 1
                if depth == 0 { return j + 1 }
            default: break
            }
            j += 1
        }
        return nil
    }

    /// The text of an escaped JSON string (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` with surrogate
    /// pairs); nil for a bad escape.
    static func decodedString(_ bytes: FieldBytes) -> String? {
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var i = 0
        func flush() { if !utf8.isEmpty { scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars); utf8.removeAll() } }
        while i < bytes.count {
            let byte = bytes[i]
            guard byte == 0x5C else { utf8.append(byte); i += 1; continue }
            guard i + 1 < bytes.count else { return nil }
            let code = bytes[i + 1]
            i += 2
            switch code {
            case 0x22, 0x5C, 0x2F: utf8.append(code)
            case 0x62: utf8.append(0x08)
            case 0x66: utf8.append(0x0C)
            case 0x6E: utf8.append(0x0A)
            case 0x72: utf8.append(0x0D)
            case 0x74: utf8.append(0x09)
            case 0x75:
                guard let high = hex4(bytes, i) else { return nil }
                i += 4
                var value = high
                if (0xD800..<0xDC00).contains(high) {
                    guard i + 6 <= bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75, let low = hex4(bytes, i + 2),
                          (0xDC00..<0xE000).contains(low) else { return nil }
                    i += 6
                    value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                flush()
                scalars.append(scalar)
            default: return nil
            }
        }
        flush()
        return String(scalars)
    }

    private static func hex4(_ bytes: FieldBytes, _ i: Int) -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in ByteText.slice(bytes, i..<i + 4) {
            guard let digit = UInt32(String(UnicodeScalar(byte)), radix: 16) else { return nil }
            value = value << 4 | digit
        }
        return value
    }
}
