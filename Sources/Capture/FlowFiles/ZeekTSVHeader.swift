#if canImport(Glibc)
import Glibc
#endif

/// What the `#` headers of a Zeek tab-separated log say: `#separator` (escaped, e.g. `\x09`), `#set_separator`,
/// `#empty_field`, `#unset_field`, `#path` and `#fields` (`#types`, `#open`, `#close` and comments are read
/// past). Shared by the conn reader and the readers of the other log kinds. Confined to the reading thread.
struct ZeekTSVHeader {
    /// The column separator.
    private(set) var separator: UInt8 = 0x09
    /// The separator of set and vector elements inside a field.
    private(set) var setSeparator: UInt8 = 0x2C
    private var unset: [UInt8] = Array("-".utf8)
    private var empty: [UInt8] = Array("(empty)".utf8)
    /// The column names of `#fields`; nil before that header.
    private(set) var fields: [[UInt8]]?
    /// The log kind from `#path`, else the one given at creation.
    private(set) var path: String

    /// What a header line did.
    enum Outcome {
        /// Read; nothing the caller must redo.
        case read
        /// A `#fields` line: the caller maps the columns again.
        case fieldsChanged
        /// A header that cannot be used.
        case problem(String)
    }

    /// - Parameter path: the log kind assumed before a `#path` line.
    init(path: String) { self.path = path }

    /// Reads one header line (it starts with `#`; spaces and a final `\r` trimmed).
    mutating func read(_ line: FieldBytes) -> Outcome {
        // `#separator` is itself separated by a space; every other header by the separator.
        if ByteText.hasPrefix(line, "#separator") {
            let text = ByteText.trimmed(ByteText.slice(line, 10..<line.count))
            guard let bytes = Self.unescape(text), bytes.count == 1 else {
                return .problem("#separator must be one byte, e.g. \\x09")
            }
            separator = bytes[0]
            return .read
        }
        let parts = line.split(separator: separator, omittingEmptySubsequences: false).map { Array($0) }
        guard let name = parts.first else { return .read }
        let values = Array(parts.dropFirst())
        switch String(decoding: name, as: UTF8.self) {
        case "#fields":
            fields = values
            return .fieldsChanged
        case "#set_separator":
            if let value = values.first { value.withUnsafeBufferPointer { setSeparator = Self.unescape($0)?.first ?? 0x2C } }
        case "#unset_field": if let value = values.first { unset = value }
        case "#empty_field": if let value = values.first { empty = value }
        case "#path": if let value = values.first { path = String(decoding: value, as: UTF8.self) }
        default: break
        }
        return .read
    }

    /// The field is `-` (unset) or `(empty)` (an empty set or string): the value keeps its default.
    @inline(__always)
    func isUnsetOrEmpty(_ value: FieldBytes) -> Bool {
        (value.count == unset.count && value.elementsEqual(unset)) || (value.count == empty.count && value.elementsEqual(empty))
    }

    /// The index of the next `separator` at or after `from`, or `line.count` (`memchr`).
    @inline(__always)
    static func next(_ separator: UInt8, in line: FieldBytes, from: Int) -> Int {
        guard from < line.count, let base = line.baseAddress else { return line.count }
        guard let found = memchr(base + from, Int32(separator), line.count - from) else { return line.count }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// `\x09` and other `\xHH` escapes (Zeek writes bytes that are not printable, and separators inside a value,
    /// so), decoded; nil for a bad escape.
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
