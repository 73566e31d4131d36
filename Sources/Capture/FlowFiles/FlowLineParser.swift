/// One of the line parsers, chosen per file; a Zeek input whose form (TSV or JSON) is not known yet (standard
/// input, a forced `--input-type zeek`) decides on its first non-empty line.
enum FlowLineParser {
    case undecidedZeek(path: String)
    case zeekTSV(ZeekTSVParser)
    case zeekJSON(ZeekJSONParser)
    case argus(ArgusParser)
    case suricata(SuricataParser)
    case nfdump(NfdumpParser)

    /// The parser for a detected format; `kind` is the Zeek log kind (`conn`, `dns`, …).
    init(format: FlowFileFormat, kind: String) {
        switch format {
        case .zeekDirectory: self = .undecidedZeek(path: kind)
        case .zeekTSV: self = .zeekTSV(ZeekTSVParser(path: kind))
        case .zeekJSON: self = .zeekJSON(ZeekJSONParser(path: kind))
        case .argus: self = .argus(ArgusParser())
        case .suricata: self = .suricata(SuricataParser())
        case .nfdump: self = .nfdump(NfdumpParser())
        }
    }

    /// Parses one line with the file's parser.
    @inline(__always)
    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        switch self {
        case .zeekTSV(var parser):
            self = .undecidedZeek(path: "")                      // drop the copy so the parser mutates in place
            defer { self = .zeekTSV(parser) }
            return parser.parse(line)
        case .zeekJSON(var parser):
            self = .undecidedZeek(path: "")
            defer { self = .zeekJSON(parser) }
            return parser.parse(line)
        case .argus(var parser):
            self = .undecidedZeek(path: "")
            defer { self = .argus(parser) }
            return parser.parse(line)
        case .suricata(var parser):
            self = .undecidedZeek(path: "")
            defer { self = .suricata(parser) }
            return parser.parse(line)
        case .nfdump(var parser):
            self = .undecidedZeek(path: "")
            defer { self = .nfdump(parser) }
            return parser.parse(line)
        case .undecidedZeek(let path):
            let content = ByteText.trimmed(line)
            if content.isEmpty { return .header }
            self = content[0] == 0x23 ? .zeekTSV(ZeekTSVParser(path: path)) : .zeekJSON(ZeekJSONParser(path: path))
            return parse(line)
        }
    }
}
