/// Reads an HTTP/1.x message head (RFC 9112 §2–§6) from contiguous bytes: finds its end, then its start line and
/// header fields. Bounded and total: the search stops at the configured head size, at most `maxHeaderLines`
/// lines are read, every index is checked against the bytes given.
enum HTTPHeadParser {
    /// Most header lines read in one head.
    static let maxHeaderLines = 128

    /// The length of the head at the start of `bytes` (through its blank line), skipping up to a few empty lines
    /// before a request (RFC 9112 §2.2); nil when the blank line is not in the first `limit` bytes.
    static func headLength(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        var scan = HTTPHeadScan()
        return headLength(bytes, limit: limit, resuming: &scan)
    }

    /// `headLength(_:limit:)` that resumes where the last search of the same head stopped (`scan`), so a head
    /// arriving in many small segments is read once in all (linear), not again from its start per segment.
    /// `bytes` must start where the head starts, as it did for the earlier searches (the stream holds the
    /// unconsumed bytes and hands them again with the new ones). `scan` is left where this search stopped.
    static func headLength(_ bytes: UnsafeRawBufferPointer, limit: Int, resuming scan: inout HTTPHeadScan) -> Int? {
        let end = min(bytes.count, limit)
        if scan.index > end { scan = HTTPHeadScan() }              // not the bytes it was made for: start over
        var index = scan.index
        var lineStart = scan.lineStart
        var sawContent = scan.sawContent
        defer { scan = HTTPHeadScan(index: index, lineStart: lineStart, sawContent: sawContent) }
        while index < end {
            if bytes[index] == 0x0A {
                let lineLength = index - lineStart - (index > lineStart && bytes[index - 1] == 0x0D ? 1 : 0)
                if lineLength == 0 {
                    if sawContent { return index + 1 }
                } else {
                    sawContent = true
                }
                lineStart = index + 1
            }
            index += 1
        }
        return nil
    }

    /// Parses the head in `bytes` (as found by `headLength`).
    /// - Parameter request: a request head (else a response head).
    static func parse(_ bytes: UnsafeRawBufferPointer, request: Bool) throws(HTTPMalformation) -> HTTPHead {
        var head = HTTPHead()
        var lines = 0
        var cursor = 0
        var startLineSeen = false
        while cursor < bytes.count {
            var end = cursor
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > cursor, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: bytes[cursor..<lineEnd])
            cursor = end + 1
            if line.isEmpty {
                if startLineSeen { break }
                continue
            }
            if !startLineSeen {
                startLineSeen = true
                if request { try requestLine(line, into: &head) } else { try statusLine(line, into: &head) }
                continue
            }
            lines += 1
            guard lines <= maxHeaderLines else { throw .tooManyHeaders }
            field(line, into: &head)
        }
        guard startLineSeen else { throw request ? .badRequestLine : .badStatusLine }
        return head
    }

    /// `METHOD SP request-target SP HTTP/x.y`.
    private static func requestLine(_ line: UnsafeRawBufferPointer, into head: inout HTTPHead) throws(HTTPMalformation) {
        guard let first = line.firstIndex(of: 0x20), first > 0,
              let last = line.lastIndex(of: 0x20), last > first + 1 else { throw .badRequestLine }
        for byte in line[..<first] where !isTokenByte(byte) { throw .badRequestLine }
        guard let version = version(UnsafeRawBufferPointer(rebasing: line[(last + 1)...])) else { throw .badRequestLine }
        head.method = text(UnsafeRawBufferPointer(rebasing: line[..<first]))
        head.uri = text(UnsafeRawBufferPointer(rebasing: line[(first + 1)..<last]))
        head.version = version
    }

    /// `HTTP/x.y SP 3DIGIT [SP reason-phrase]`.
    private static func statusLine(_ line: UnsafeRawBufferPointer, into head: inout HTTPHead) throws(HTTPMalformation) {
        guard let space = line.firstIndex(of: 0x20),
              let version = version(UnsafeRawBufferPointer(rebasing: line[..<space])),
              line.count >= space + 4 else { throw .badStatusLine }
        var status: UInt16 = 0
        for byte in line[(space + 1)..<(space + 4)] {
            guard byte >= 0x30, byte <= 0x39 else { throw .badStatusLine }
            status = status * 10 + UInt16(byte - 0x30)
        }
        guard line.count == space + 4 || line[space + 4] == 0x20 else { throw .badStatusLine }
        head.version = version
        head.status = status
        if line.count > space + 5 { head.reason = text(UnsafeRawBufferPointer(rebasing: line[(space + 5)...])) }
    }

    /// `HTTP/x.y` → `x.y`.
    private static func version(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= 6, bytes[0] == 0x48, bytes[1] == 0x54, bytes[2] == 0x54, bytes[3] == 0x50,
              bytes[4] == 0x2F else { return nil }
        return text(UnsafeRawBufferPointer(rebasing: bytes[5...]))
    }

    /// One `name: value` line; the fields the record needs are kept.
    private static func field(_ line: UnsafeRawBufferPointer, into head: inout HTTPHead) {
        guard line[0] != 0x20, line[0] != 0x09 else { return }           // obsolete folding: ignored
        guard let colon = line.firstIndex(of: 0x3A), colon > 0 else {
            head.badHeaderLines += 1
            return
        }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        var start = colon + 1, end = line.count
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        let value = UnsafeRawBufferPointer(rebasing: line[start..<end])
        if equalsIgnoringCase(name, "host") { head.host = text(value) }
        else if equalsIgnoringCase(name, "user-agent") { head.userAgent = text(value) }
        else if equalsIgnoringCase(name, "referer") { head.referrer = text(value) }
        else if equalsIgnoringCase(name, "content-type") { head.contentType = text(value) }
        else if equalsIgnoringCase(name, "content-length") { contentLength(value, into: &head) }
        else if equalsIgnoringCase(name, "transfer-encoding") { head.chunked = endsWithChunked(value) }
    }

    private static func contentLength(_ value: UnsafeRawBufferPointer, into head: inout HTTPHead) {
        var length: UInt64 = 0
        guard !value.isEmpty, value.count <= 15 else { head.badContentLength = true; return }
        for byte in value {
            guard byte >= 0x30, byte <= 0x39 else { head.badContentLength = true; return }
            length = length * 10 + UInt64(byte - 0x30)
        }
        if let earlier = head.contentLength, earlier != length { head.badContentLength = true }
        head.contentLength = length
    }

    /// The last coding of a Transfer-Encoding value is `chunked`.
    private static func endsWithChunked(_ value: UnsafeRawBufferPointer) -> Bool {
        var end = value.count
        while end > 0, value[end - 1] == 0x20 || value[end - 1] == 0x09 { end -= 1 }
        guard end >= 7 else { return false }
        return equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: value[(end - 7)..<end]), "chunked")
            && (end == 7 || value[end - 8] == 0x2C || value[end - 8] == 0x20)
    }

    /// ASCII case-insensitive comparison with a lowercase literal.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let other = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for index in 0..<bytes.count {
            let byte = bytes[index]
            let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lower != other[index] { return false }
        }
        return true
    }

    /// RFC 9110 token characters (for the method).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
        default: false
        }
    }

    /// Bytes as text (invalid UTF-8 replaced).
    static func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// Where a search for the end of an HTTP head stopped: the next byte to read, where its line began, and
/// whether a non-empty line was seen. Kept per direction between segments (`HTTPConnection`).
struct HTTPHeadScan: Equatable {
    var index = 0
    var lineStart = 0
    var sawContent = false
}
