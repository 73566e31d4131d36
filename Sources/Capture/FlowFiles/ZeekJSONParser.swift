import Records

/// Zeek's JSON log format (`LogAscii::use_json=T`, as Slips runs Zeek): one object per line with the conn.log
/// column names as keys (`"id.orig_h"`), numbers as JSON numbers, `ts` as epoch seconds or an ISO 8601 string.
/// Unset fields are left out (or `null`); sets are arrays and are read past. Confined to the reading thread.
struct ZeekJSONParser {
    /// The log kind (from the file name); only `conn` becomes records.
    let path: String
    private var uids = FallbackUIDs()

    init(path: String) { self.path = path }

    /// Reads one line.
    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        if ByteText.trimmed(line).isEmpty { return .header }
        var builder = ConnRecordBuilder()
        var problem: String?
        let malformed = JSONObjectScanner.forEachMember(in: line) { key, value in
            guard problem == nil, let field = ConnField.named(key) else { return }
            switch value.kind {
            case .null, .object, .array, .bool: return
            case .number:
                problem = builder.set(field, value.bytes)
            case .string:
                if value.escaped {
                    guard var text = JSONObjectScanner.decodedString(value.bytes) else {
                        problem = "\(field.zeekName): bad escape in a string"
                        return
                    }
                    problem = text.withUTF8 { builder.set(field, $0) }
                } else {
                    problem = builder.set(field, value.bytes)
                }
            }
        }
        if let malformed { return .problem(.malformedLine, malformed) }
        guard path == "conn" else { return .skipped(.notReadYet("\(path).log")) }
        if let problem { return .problem(.badField, problem) }
        switch builder.build(fallbackUID: uids.next()) {
        case .success(let record): return .record(.conn(record))
        case .failure(.field(let name)): return .problem(.missingField, "no \(name)")
        }
    }
}
