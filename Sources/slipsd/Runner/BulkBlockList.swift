import NetCore

/// The file of `--block-from` / `--unblock-from` (as CrowdSec's `cscli decisions import`): one address or CIDR
/// per line, then optionally a duration (`600`, `600s`, `10m`, `4h`, `2d`) and a reason (the rest of the line).
/// Fields are separated by spaces, tabs or commas; `#` starts a comment; blank lines and a header line starting
/// with `value`, `ip` or `address` are skipped. A CIDR stands for each of its addresses (the sets hold single
/// addresses), at most `maxAddressesPerRange` of them; larger ranges belong in a kernel blocklist feed.
///
/// Parsing is total: every line that cannot be used is reported with its number and why, and the others are
/// used — one bad line never loses the rest.
struct BulkBlockList {
    /// One usable line's block.
    struct Item: Equatable {
        var address: IPAddress
        /// Seconds; nil: the command's default.
        var seconds: Int?
        var reason: String?
    }

    /// A line that was not used.
    struct Problem: Equatable, CustomStringConvertible {
        var line: Int
        var why: String
        var description: String { "line \(line): \(why)" }
    }

    /// The most addresses one CIDR line may stand for (an IPv4 /16).
    static let maxAddressesPerRange = 65_536

    private(set) var items: [Item] = []
    private(set) var problems: [Problem] = []

    /// Parses `bytes` (a whole file or standard input).
    init(_ bytes: [UInt8]) {
        var lineNumber = 0
        var start = 0
        items.reserveCapacity(bytes.count / 16)
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            parseLine(bytes[start..<end], number: lineNumber)
            start = end + 1
        }
    }

    private mutating func parseLine(_ raw: ArraySlice<UInt8>, number: Int) {
        var line = raw
        if let hash = line.firstIndex(of: 0x23) { line = line[..<hash] }                     // '#'
        var fields: [Substring] = []
        let text = String(decoding: line, as: UTF8.self)
        var reason: Substring?
        var cursor = text.startIndex
        while cursor < text.endIndex, fields.count < 2 {
            while cursor < text.endIndex, Self.isSeparator(text[cursor]) { cursor = text.index(after: cursor) }
            guard cursor < text.endIndex else { break }
            var fieldEnd = cursor
            while fieldEnd < text.endIndex, !Self.isSeparator(text[fieldEnd]) { fieldEnd = text.index(after: fieldEnd) }
            fields.append(text[cursor..<fieldEnd])
            cursor = fieldEnd
        }
        while cursor < text.endIndex, Self.isSeparator(text[cursor]) { cursor = text.index(after: cursor) }
        if cursor < text.endIndex { reason = text[cursor...].trimmingSuffix(while: { $0 == " " || $0 == "\t" || $0 == "\r" }) }
        guard let first = fields.first else { return }
        if number == 1, ["value", "ip", "address"].contains(first.lowercased()) { return }
        var seconds: Int?
        if fields.count > 1 {
            guard let parsed = Self.seconds(fields[1]) else {
                // No duration: the second field starts the reason.
                let rest = text[fields[1].startIndex...].trimmingSuffix(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
                return add(first, seconds: nil, reason: String(rest), line: number)
            }
            seconds = parsed
        }
        add(first, seconds: seconds, reason: reason.map(String.init), line: number)
    }

    private mutating func add(_ target: Substring, seconds: Int?, reason: String?, line: Int) {
        if let address = IPAddress(target) {
            items.append(Item(address: address, seconds: seconds, reason: reason))
            return
        }
        guard target.contains("/"), let range = CIDR(String(target)) else {
            problems.append(Problem(line: line, why: "'\(target.prefix(60))' is neither an IP address nor a CIDR"))
            return
        }
        let hostBits = (range.network.isIPv4 ? 32 : 128) - range.prefixLength
        guard hostBits <= 16 else {
            problems.append(Problem(line: line, why: "\(range) stands for more than \(Self.maxAddressesPerRange) addresses; load ranges as a kernel blocklist feed"))
            return
        }
        let count = 1 << hostBits
        for offset in 0..<count {
            let address = range.network.isIPv4
                ? IPAddress(ipv4: range.network.ipv4Value &+ UInt32(offset))
                : IPAddress(family: .ipv6, high: range.network.high, low: range.network.low &+ UInt64(offset))
            items.append(Item(address: address, seconds: seconds, reason: reason))
        }
    }

    private static func isSeparator(_ c: Character) -> Bool { c == " " || c == "\t" || c == "," || c == "\r" }

    /// `600`, `600s`, `10m`, `4h`, `2d` in seconds (1 s … 10 years), or nil.
    static func seconds(_ text: Substring) -> Int? {
        guard let last = text.last else { return nil }
        let unit: Int
        var digits = text
        switch last {
        case "s": unit = 1; digits = text.dropLast()
        case "m": unit = 60; digits = text.dropLast()
        case "h": unit = 3600; digits = text.dropLast()
        case "d": unit = 86_400; digits = text.dropLast()
        default: unit = 1
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), digits.count <= 9, let value = Int(digits) else { return nil }
        let seconds = value * unit
        return (1...(10 * 365 * 86_400)).contains(seconds) ? seconds : nil
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

private extension Substring {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
