import NetCore

/// The fast path for the big feeds (`FeedFormat.lines`): lines are found and read as bytes, IPv4 addresses and
/// networks are parsed from the bytes, domains are checked and lower-cased straight into the index; a `String` is
/// made only for IPv6 values, URLs and AS numbers. Same results as `FeedParser` with `.lines`.
enum ListFeedScanner {
    /// Calls `body` with each indicator of `text` (a domain as its normalized bytes); counts rejected lines.
    static func scan(_ text: String, into result: inout FeedParser.Result,
                     address: (CIDR) -> Void, domain: (UnsafeRawBufferPointer) -> Void, other: (IoC) -> Void) {
        var text = text
        text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            var lineNumber = 0
            var start = 0
            var lowered = [UInt8](repeating: 0, count: 256)
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                guard let value = indicatorBytes(line) else { continue }
                if let network = ipv4Network(value) {
                    address(network)
                } else if let length = normalizedDomain(value, into: &lowered) {
                    lowered.withUnsafeBytes { domain(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
                } else if let ioc = FeedParser.indicatorOrASN(String(decoding: value, as: UTF8.self)) {
                    other(ioc)
                } else {
                    result.rejectedLines += 1
                    if result.firstProblems.count < FeedParser.describedProblems {
                        let shown = String(decoding: line.prefix(60), as: UTF8.self)
                        result.firstProblems.append((lineNumber, "no IP, network, domain, URL or ASN in '\(shown)'"))
                    }
                }
            }
        }
    }

    /// The value of a list line: nil for blank and comment lines; the first token before a comment, or the name
    /// of a hosts-file line (`0.0.0.0 name`).
    static func indicatorBytes(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var tokens: [Range<Int>] = []
        var index = 0
        while index < line.count, tokens.count < 2 {
            let byte = line[index]
            if isSpace(byte) { index += 1; continue }
            if byte == UInt8(ascii: ";") || byte == UInt8(ascii: "#") { break }
            if byte == UInt8(ascii: "/"), index + 1 < line.count, line[index + 1] == UInt8(ascii: "/") { break }
            let tokenStart = index
            while index < line.count, !isSpace(line[index]), line[index] != UInt8(ascii: ";") { index += 1 }
            tokens.append(tokenStart..<index)
        }
        guard let first = tokens.first else { return nil }
        let firstBytes = UnsafeRawBufferPointer(rebasing: line[first])
        if tokens.count == 2, isSinkAddress(firstBytes) { return UnsafeRawBufferPointer(rebasing: line[tokens[1]]) }
        return firstBytes
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    private static func isSinkAddress(_ token: UnsafeRawBufferPointer) -> Bool {
        for sink in ["0.0.0.0", "127.0.0.1", "::", "::1"] where token.elementsEqual(sink.utf8) { return true }
        return false
    }

    /// `a.b.c.d` or `a.b.c.d/n` (IPv4 only; anything else is nil).
    static func ipv4Network(_ bytes: UnsafeRawBufferPointer) -> CIDR? {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, dots = 0, index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                octet = octet * 10 + UInt32(byte - 0x30)
                digits += 1
                guard digits <= 3, octet <= 255 else { return nil }
            } else if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet; octet = 0; digits = 0; dots += 1
            } else if byte == UInt8(ascii: "/") {
                break
            } else {
                return nil
            }
            index += 1
        }
        guard dots == 3, digits > 0 else { return nil }
        value = value << 8 | octet
        var prefix = 32
        if index < bytes.count {                                    // "/n"
            let digitsOfPrefix = bytes[(index + 1)...]
            guard !digitsOfPrefix.isEmpty, digitsOfPrefix.count <= 2, digitsOfPrefix.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
            else { return nil }
            prefix = digitsOfPrefix.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        return CIDR(network: IPAddress(ipv4: value), prefixLength: prefix)
    }

    /// The domain rules of `Whitelist.normalizedDomain` on bytes: lower-cased into `buffer`; its length, or nil.
    static func normalizedDomain(_ bytes: UnsafeRawBufferPointer, into buffer: inout [UInt8]) -> Int? {
        var count = bytes.count
        if count > 0 && bytes[count - 1] == UInt8(ascii: ".") { count -= 1 }
        guard count > 0, count <= 253 else { return nil }
        var dots = 0, label = 0, letters = false
        for index in 0..<count {
            var byte = bytes[index]
            switch byte {
            case UInt8(ascii: "."):
                guard label > 0 else { return nil }
                dots += 1; label = 0
                buffer[index] = byte
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte |= 0x20; letters = true
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"), UInt8(ascii: "_"): letters = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): break
            default: return nil
            }
            buffer[index] = byte
            label += 1
        }
        guard dots > 0, label > 0, letters else { return nil }
        return count
    }
}
