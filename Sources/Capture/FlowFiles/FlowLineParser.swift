/// A reader of one line format: Zeek TSV, Zeek JSON, Argus, Suricata, nfdump CSV. The source is generic over it,
/// so each line goes straight to the concrete parser (no enum to unpack and repack per line).
protocol FlowLineParser {
    /// Reads one line; the parser keeps what headers told it.
    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome
}

extension ZeekTSVParser: FlowLineParser {}
extension ZeekJSONParser: FlowLineParser {}
extension ArgusParser: FlowLineParser {}
extension SuricataParser: FlowLineParser {}
extension NfdumpParser: FlowLineParser {}

/// A Zeek log whose form (TSV or JSON) is not known before its first non-empty line: standard input, the conn log
/// of a directory. Decides on that line (`#` is TSV) and then hands every line to the chosen parser.
struct ZeekAutoParser: FlowLineParser {
    private let path: String
    private var tsv: ZeekTSVParser?
    private var json: ZeekJSONParser?

    /// - Parameter path: the log kind (`conn`).
    init(path: String) { self.path = path }

    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        if tsv != nil { return tsv!.parse(line) }
        if json != nil { return json!.parse(line) }
        let content = ByteText.trimmed(line)
        if content.isEmpty { return .header }
        if content[0] == 0x23 { tsv = ZeekTSVParser(path: path) } else { json = ZeekJSONParser(path: path) }
        return parse(line)
    }
}
