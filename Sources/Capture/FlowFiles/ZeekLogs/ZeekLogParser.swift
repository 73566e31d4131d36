import Records

/// Reads a Zeek log of one kind other than conn (http, ssl, x509, …), tab-separated or JSON — decided on its first
/// non-empty line (`#` is TSV) — into the records its `Builder` makes. TSV: Zeek's headers (`ZeekTSVHeader`),
/// `-` and `(empty)` leave a field unset, sets and vectors split at `#set_separator`, `\xHH` escapes decoded.
/// JSON: one object per line with the same names as keys, `null` and `"-"` unset, arrays for sets.
/// Confined to the reading thread.
struct ZeekLogParser<Builder: ZeekLogBuilder>: FlowLineParser {
    private enum Form { case undecided, tsv, json }
    private var form = Form.undecided
    private var header: ZeekTSVHeader
    private var names: [String]?
    private var uids = FallbackUIDs()

    /// - Parameter path: the log kind (`http`), for the header state.
    init(path: String) { header = ZeekTSVHeader(path: path) }

    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        let content = ByteText.trimmed(line)
        if content.isEmpty { return .header }
        if form == .undecided { form = content[0] == 0x23 ? .tsv : .json }
        return form == .tsv ? parseTSV(line, content) : parseJSON(content)
    }

    private mutating func parseTSV(_ line: FieldBytes, _ content: FieldBytes) -> FlowLineOutcome {
        if content[0] == 0x23 {
            switch header.read(content) {
            case .read: return .header
            case .fieldsChanged:
                names = header.fields?.map { String(decoding: $0, as: UTF8.self) }
                return .header
            case .problem(let why): return .problem(.malformedLine, why)
            }
        }
        guard let names else { return .problem(.malformedLine, "a data line before the #fields header") }
        var builder = Builder()
        var problem: String?
        var column = 0
        var start = 0
        let separator = header.separator
        let form = ZeekFieldValue.Form.tsv(setSeparator: header.setSeparator)
        while start <= line.count {
            let end = ZeekTSVHeader.next(separator, in: line, from: start)
            guard column < names.count else {
                return .problem(.malformedLine, "more than the \(names.count) columns of the #fields header")
            }
            let value = ByteText.slice(line, start..<end)
            if problem == nil, !header.isUnsetOrEmpty(value) {
                problem = builder.set(names[column], ZeekFieldValue(bytes: value, form: form))
            }
            column += 1
            start = end + 1
        }
        guard column == names.count else {
            return .problem(.malformedLine, "\(column) columns where the #fields header has \(names.count)")
        }
        if let problem { return .problem(.badField, problem) }
        return finish(builder)
    }

    private mutating func parseJSON(_ line: FieldBytes) -> FlowLineOutcome {
        var builder = Builder()
        var problem: String?
        let malformed = JSONObjectScanner.forEachMember(in: line) { key, value in
            guard problem == nil else { return }
            let name = ByteText.string(key)
            switch value.kind {
            case .null, .object: return
            case .array:
                problem = builder.set(name, ZeekFieldValue(bytes: value.bytes, form: .jsonArray))
            case .number, .bool:
                problem = builder.set(name, ZeekFieldValue(bytes: value.bytes, form: .jsonScalar))
            case .string:
                if ByteText.equals(value.bytes, "-") { return }
                guard value.escaped else {
                    problem = builder.set(name, ZeekFieldValue(bytes: value.bytes, form: .jsonScalar))
                    return
                }
                guard var text = JSONObjectScanner.decodedString(value.bytes) else {
                    problem = "\(name): bad escape in a string"
                    return
                }
                problem = text.withUTF8 { builder.set(name, ZeekFieldValue(bytes: $0, form: .jsonScalar)) }
            }
        }
        if let malformed { return .problem(.malformedLine, malformed) }
        if let problem { return .problem(.badField, problem) }
        return finish(builder)
    }

    private mutating func finish(_ builder: Builder) -> FlowLineOutcome {
        switch builder.build(fallbackUID: uids.next()) {
        case .success(let record): return .record(record)
        case .failure(let missing): return .problem(.missingField, "no \(missing.name)")
        }
    }
}

/// A log whose kind slipsd does not read (yet): headers are read past, each data line is counted under `skip`.
struct ZeekSkippedLogParser: FlowLineParser {
    let skip: FlowSkipKind

    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        let content = ByteText.trimmed(line)
        if content.isEmpty || content[0] == 0x23 { return .header }
        return .skipped(skip)
    }
}
