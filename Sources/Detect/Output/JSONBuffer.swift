/// JSON written byte by byte into a reusable buffer: no Foundation, no `Encodable`, no allocation once the buffer
/// has grown to the size of the longest line (keys are `StaticString`s, values are written straight from their
/// UTF-8 storage).
///
/// Strings are escaped as RFC 8259 requires: `"` and `\` get a backslash, U+0000…U+001F become `\n`, `\r`, `\t`,
/// `\b`, `\f` or `\u00XX`; every other byte (non-ASCII UTF-8 included) passes through unchanged. Numbers are
/// deterministic: integers in decimal, fractions rounded to a fixed number of decimals with trailing zeros removed
/// (`0.8`, `1`, `15.235`); a non-finite number is written as `null`, which is the only JSON for it.
///
/// Commas are placed by the buffer: `key(_:)` and `element()` write one before every member but the first of the
/// innermost open object or array (up to 64 levels deep).
///
/// A JSON document can be written *inside a string* (IDMEFv2's `Note`) without a second buffer: between
/// `beginEmbeddedDocument()` and `endEmbeddedDocument()` every quote the document writes comes out as `\"` and every
/// escape of its strings is escaped once more, so the bytes are what escaping the document as a string would give.
/// Confined to its owner's thread.
struct JSONBuffer {
    /// The JSON written so far.
    private(set) var bytes: [UInt8] = []
    /// True between `beginEmbeddedDocument()` and `endEmbeddedDocument()`.
    private var embedded = false
    /// One bit per open object/array level: set once the level has a member.
    private var hasMember: UInt64 = 0
    private var depth = 0

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// Empties the buffer, keeping its storage.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        hasMember = 0
        depth = 0
    }

    // MARK: structure

    mutating func beginObject() { open(0x7B) }
    mutating func endObject() { close(0x7D) }
    mutating func beginArray() { open(0x5B) }
    mutating func endArray() { close(0x5D) }

    /// `"key":` with the comma before it when needed. Keys are written as given: they must need no escaping.
    mutating func key(_ name: StaticString) {
        separate()
        quote()
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        quote()
        bytes.append(0x3A)
    }

    /// Opens a string value that holds a JSON document: what is written until `endEmbeddedDocument()` is that
    /// document, escaped for the string.
    mutating func beginEmbeddedDocument() {
        bytes.append(0x22)
        embedded = true
    }

    /// Closes the string opened by `beginEmbeddedDocument()`.
    mutating func endEmbeddedDocument() {
        embedded = false
        bytes.append(0x22)
    }

    /// A string's quote: `"`, or `\"` inside an embedded document.
    mutating func quote() {
        if embedded { bytes.append(0x5C) }
        bytes.append(0x22)
    }

    /// Before an array element: the comma when needed.
    mutating func element() { separate() }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
        if depth < 64 { hasMember &= ~(1 << UInt64(depth)) }
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        depth = max(0, depth - 1)
    }

    private mutating func separate() {
        guard depth > 0, depth < 64 else { return }
        let bit: UInt64 = 1 << UInt64(depth)
        if hasMember & bit != 0 { bytes.append(0x2C) } else { hasMember |= bit }
    }

    // MARK: values

    /// A static ASCII text, as is (a literal such as `true`, or a string value including its quotes).
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Bytes that are already JSON.
    mutating func raw(_ json: [UInt8]) { bytes.append(contentsOf: json) }

    /// A JSON string: quoted and escaped.
    mutating func string(_ text: String) {
        quote()
        appendEscaped(text)
        quote()
    }

    /// A JSON string of `text` with ASCII letters upper-cased (`tcp` → `TCP`).
    mutating func uppercasedString(_ text: String) {
        quote()
        let start = bytes.count
        appendEscaped(text)
        for index in start..<bytes.count where bytes[index] >= 0x61 && bytes[index] <= 0x7A { bytes[index] -= 0x20 }
        quote()
    }

    /// A JSON string of `text` (escaped) followed by bytes `suffix` writes as they are (they must need no escaping).
    mutating func stringWithSuffix(_ text: String, _ suffix: (inout [UInt8]) -> Void) {
        quote()
        appendEscaped(text)
        suffix(&bytes)
        quote()
    }

    /// Lets `body` append bytes that are already valid JSON at this point (no separator handling).
    mutating func appendBytes(_ body: (inout [UInt8]) -> Void) { body(&bytes) }

    mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    mutating func null() { raw("null") }

    /// An integer in decimal.
    mutating func int(_ value: Int) {
        if value < 0 {
            bytes.append(0x2D)
            // The magnitude of Int.min does not fit an Int; UInt holds it.
            digits(UInt(bitPattern: value).magnitudeOfNegative)
        } else {
            digits(UInt(value))
        }
    }

    /// `value` rounded to `decimals` (at most 6) decimals, trailing zeros and a bare point left out; `null` when not
    /// finite. Magnitudes beyond 2^53 / 10^decimals (never seen in evidence) fall back to Swift's shortest form.
    mutating func number(_ value: Double, decimals: Int = 3) {
        guard value.isFinite else { return null() }
        let places = min(max(decimals, 0), 6)
        var scale: Double = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (value * scale).rounded()
        guard abs(scaled) < 9_007_199_254_740_992 else {
            bytes.append(contentsOf: value.description.utf8)
            return
        }
        var units = Int64(scaled)
        if units < 0 {
            bytes.append(0x2D)
            units = -units
        }
        let divisor = Int64(scale)
        digits(UInt(units / divisor))
        var fraction = units % divisor
        guard fraction != 0 else { return }
        var width = places
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        bytes.append(0x2E)
        let start = bytes.count
        digits(UInt(fraction))
        let written = bytes.count - start
        if written < width {
            bytes.insert(contentsOf: repeatElement(0x30, count: width - written), at: start)
        }
    }

    /// The decimal digits of `value`, written in place (reversed after writing).
    private mutating func digits(_ value: UInt) {
        let start = bytes.count
        var rest = value
        repeat {
            bytes.append(0x30 + UInt8(rest % 10))
            rest /= 10
        } while rest != 0
        bytes[start...].reverse()
    }

    // MARK: escaping

    private mutating func appendEscaped(_ text: String) {
        var text = text
        text.withUTF8 { appendEscaped($0) }
    }

    /// Copies runs of bytes that need no escape in one append each; escapes the rest.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            runStart = index + 1
            bytes.append(0x5C)
            // Inside an embedded document the escape's backslash is escaped, and so is a quote or backslash after it.
            if embedded { bytes.append(0x5C) }
            switch byte {
            case 0x22:
                if embedded { bytes.append(0x5C) }
                bytes.append(0x22)
            case 0x5C:
                if embedded { bytes.append(0x5C) }
                bytes.append(0x5C)
            case 0x0A: bytes.append(0x6E)
            case 0x0D: bytes.append(0x72)
            case 0x09: bytes.append(0x74)
            case 0x08: bytes.append(0x62)
            case 0x0C: bytes.append(0x66)
            default:
                bytes.append(0x75)
                bytes.append(0x30)
                bytes.append(0x30)
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0x0F))
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    /// Lower-case hexadecimal digit of a nibble.
    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
}

private extension UInt {
    /// For the bit pattern of a negative Int: its magnitude (two's complement negation).
    var magnitudeOfNegative: UInt { 0 &- self }
}
