import Records

/// Zeek's tab-separated ("ASCII") log format: `#separator \x09` (escaped bytes), `#set_separator`, `#empty_field`,
/// `#unset_field`, `#path`, `#fields` and `#types` headers (columns in any order), `#open`/`#close`. Only
/// `conn` logs become records here (the other kinds: `ZeekLogParser`); the kind comes from `#path` (or, without
/// one, from the file name). Headers: `ZeekTSVHeader`.
///
/// A data line needs a `#fields` header before it and exactly as many columns. Unset (`-`) and empty (`(empty)`)
/// fields keep their defaults. Confined to the reading thread.
struct ZeekTSVParser {
    private var header: ZeekTSVHeader
    /// The field each column feeds, from `#fields`; nil before the header.
    private var roles: [ConnField?]?
    /// The log kind from `#path`, else the one given at creation.
    var path: String { header.path }
    private var uids = FallbackUIDs()

    /// - Parameter path: the log kind assumed before a `#path` line (`conn` for `conn.log`).
    init(path: String) { header = ZeekTSVHeader(path: path) }

    /// Reads one line (header or data).
    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        let content = ByteText.trimmed(line)
        if content.isEmpty { return .header }
        if content[0] == 0x23 {                                                              // '#'
            switch header.read(content) {
            case .read: return .header
            case .fieldsChanged:
                roles = header.fields?.map { name in name.withUnsafeBufferPointer { ConnField.named($0) } }
                return .header
            case .problem(let why): return .problem(.malformedLine, why)
            }
        }
        guard path == "conn" else {
            return ZeekLogKind.named(path) == nil ? .problem(.unknownLogKind, "#path \(path): not a log Slips reads")
                                                  : .skipped(.notReadYet("\(path).log"))
        }
        guard let roles else { return .problem(.malformedLine, "a data line before the #fields header") }
        let separator = header.separator
        var builder = ConnRecordBuilder()
        var column = 0
        var start = 0
        let count = line.count
        var fieldProblem: String?              // a wrong column count outranks a wrong value: it is looked for first
        while start <= count {
            let end = ZeekTSVHeader.next(separator, in: line, from: start)
            guard column < roles.count else {
                return .problem(.malformedLine, "more than the \(roles.count) columns of the #fields header")
            }
            if fieldProblem == nil, let field = roles[column] {
                let value = ByteText.slice(line, start..<end)
                if !header.isUnsetOrEmpty(value) { fieldProblem = builder.set(field, value) }
            }
            column += 1
            start = end + 1
        }
        guard column == roles.count else {
            return .problem(.malformedLine, "\(column) columns where the #fields header has \(roles.count)")
        }
        if let fieldProblem { return .problem(.badField, fieldProblem) }
        switch builder.build(fallbackUID: uids.next()) {
        case .success(let record): return .record(.conn(record))
        case .failure(.field(let name)): return .problem(.missingField, "no \(name)")
        }
    }
}
