import Records
#if canImport(Glibc)
import Glibc
#endif

/// Zeek's tab-separated ("ASCII") log format: `#separator \x09` (escaped bytes), `#set_separator`, `#empty_field`,
/// `#unset_field`, `#path`, `#fields` and `#types` headers (columns in any order), `#open`/`#close`. Only
/// `conn` logs become records; the kind comes from `#path` (or, without one, from the file name).
///
/// A data line needs a `#fields` header before it and exactly as many columns. Unset (`-`) and empty (`(empty)`)
/// fields keep their defaults. Confined to the reading thread.
struct ZeekTSVParser {
    private var separator: UInt8 = 0x09
    private var unset: [UInt8] = Array("-".utf8)
    private var empty: [UInt8] = Array("(empty)".utf8)
    /// The field each column feeds, from `#fields`; nil before the header.
    private var roles: [ConnField?]?
    /// The log kind from `#path`, else the one given at creation.
    private(set) var path: String
    private var uids = FallbackUIDs()

    /// - Parameter path: the log kind assumed before a `#path` line (`conn` for `conn.log`).
    init(path: String) { self.path = path }

    /// Reads one line (header or data).
    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        let content = ByteText.trimmed(line)
        if content.isEmpty { return .header }
        if content[0] == 0x23 { return header(content) }                                     // '#'
        guard path == "conn" else { return .skipped(.notReadYet("\(path).log")) }
        guard let roles else { return .problem(.malformedLine, "a data line before the #fields header") }
        var builder = ConnRecordBuilder()
        var column = 0
        var start = 0
        let count = line.count
        var fieldProblem: String?              // a wrong column count outranks a wrong value: it is looked for first
        while start <= count {
            let end = Self.next(separator, in: line, from: start)
            guard column < roles.count else {
                return .problem(.malformedLine, "more than the \(roles.count) columns of the #fields header")
            }
            if fieldProblem == nil, let field = roles[column] {
                let value = ByteText.slice(line, start..<end)
                if !isUnsetOrEmpty(value) { fieldProblem = builder.set(field, value) }
            }
            column += 1
            start = end + 1
        }
        guard column == roles.count else {
            return .problem(.malformedLine, "\(column) columns where the #fields header has \(roles.count)")
        }
        if let fieldProblem { return .problem(.badField, fieldProblem) }
        switch builder.build(fallbackUID: uids.next()) {
        case .success(let record): return .record(record)
        case .failure(.field(let name)): return .problem(.missingField, "no \(name)")
        }
    }

    /// The index of the next `separator` at or after `from`, or `line.count` (`memchr`).
    @inline(__always)
    private static func next(_ separator: UInt8, in line: FieldBytes, from: Int) -> Int {
        guard from < line.count, let base = line.baseAddress else { return line.count }
        guard let found = memchr(base + from, Int32(separator), line.count - from) else { return line.count }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    @inline(__always)
    private func isUnsetOrEmpty(_ value: FieldBytes) -> Bool {
        (value.count == unset.count && value.elementsEqual(unset)) || (value.count == empty.count && value.elementsEqual(empty))
    }

    private mutating func header(_ line: FieldBytes) -> FlowLineOutcome {
        // `#separator` is itself separated by a space; every other header by the separator.
        if ByteText.hasPrefix(line, "#separator") {
            let text = ByteText.trimmed(ByteText.slice(line, 10..<line.count))
            guard let bytes = Self.unescape(text), bytes.count == 1 else {
                return .problem(.malformedLine, "#separator must be one byte, e.g. \\x09")
            }
            separator = bytes[0]
            return .header
        }
        let parts = line.split(separator: separator, omittingEmptySubsequences: false).map { Array($0) }
        guard let name = parts.first else { return .header }
        let values = Array(parts.dropFirst())
        switch String(decoding: name, as: UTF8.self) {
        case "#fields":
            roles = values.map { name in name.withUnsafeBufferPointer { ConnField.named($0) } }
        case "#unset_field": if let value = values.first { unset = value }
        case "#empty_field": if let value = values.first { empty = value }
        case "#path": if let value = values.first { path = String(decoding: value, as: UTF8.self) }
        default: break                                  // #types, #open, #close, #set_separator, comments
        }
        return .header
    }

    /// `\x09` and other `\xHH` escapes of a Zeek header, decoded; nil for a bad escape.
    static func unescape(_ text: FieldBytes) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < text.count {
            if text[i] == 0x5C, i + 3 < text.count, ByteText.lower(text[i + 1]) == 0x78 {
                guard let value = UInt8(ByteText.string(ByteText.slice(text, (i + 2)..<(i + 4))), radix: 16) else { return nil }
                out.append(value)
                i += 4
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }
}
