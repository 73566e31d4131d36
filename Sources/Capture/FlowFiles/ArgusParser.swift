import NetCore
import Records

/// Argus binetflow lines (`ra -n -u -c , -s stime dur proto saddr sport dir daddr dport state …`), comma- or
/// tab-separated, columns named by the header line in any order. The columns read, by Argus' names (any case):
/// `StartTime`, `Dur`, `Proto`, `SrcAddr`, `Sport`, `Dir`, `DstAddr`, `Dport`, `State`, `TotPkts`, `TotBytes`,
/// `SrcBytes`, `SrcPkts`, `Label` (`Dir` and `Label` are read past). Without a header (standard input), the
/// column order of Slips' default binetflow is assumed.
///
/// Argus counts whole packets: `SrcBytes` becomes both `orig_bytes` and `orig_ip_bytes`, `TotBytes - SrcBytes`
/// both responder byte counts, `TotPkts - SrcPkts` the responder's packets. Argus has no uid: each flow gets one.
/// Times without a zone are UTC. Confined to the reading thread.
struct ArgusParser {
    private enum Column { case start, duration, proto, source, sourcePort, destination, destinationPort, state
        case totalPackets, totalBytes, sourceBytes, sourcePackets }

    private var separator: UInt8?
    private var columns: [Column?]?
    private var uids = FallbackUIDs()

    init() {}

    /// Reads one line: the header when it comes first, else a flow.
    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        let content = ByteText.trimmed(line)
        if content.isEmpty || content[0] == 0x23 { return .header }                            // '#': a comment
        if separator == nil { separator = Self.separator(of: content) }
        let separator = separator ?? 0x2C
        if columns == nil {
            if ByteText.contains(content, "StartTime") || ByteText.contains(content, "SrcAddr") {
                columns = Self.columns(of: content, separator: separator)
                return .header
            }
            columns = [.start, .duration, .proto, .source, .sourcePort, nil, .destination, .destinationPort, .state,
                       nil, nil, .totalPackets, .totalBytes, .sourceBytes, .sourcePackets]
        }
        return flow(content, separator: separator, columns: columns ?? [])
    }

    /// Slips' rule: commas when the line has more than five, else tabs.
    static func separator(of line: FieldBytes) -> UInt8 {
        line.reduce(0) { $0 + ($1 == 0x2C ? 1 : 0) } > 5 ? 0x2C : 0x09
    }

    private static func columns(of header: FieldBytes, separator: UInt8) -> [Column?] {
        header.split(separator: separator, omittingEmptySubsequences: false).map { raw -> Column? in
            let name = String(decoding: raw, as: UTF8.self).trimmingWhitespace().lowercased()
            switch name {
            case "starttime", "stime": return .start
            case "dur": return .duration
            case "proto": return .proto
            case "srcaddr", "saddr": return .source
            case "sport": return .sourcePort
            case "dstaddr", "daddr": return .destination
            case "dport": return .destinationPort
            case "state": return .state
            case "totpkts", "pkts": return .totalPackets
            case "totbytes", "bytes": return .totalBytes
            case "srcbytes", "sbytes": return .sourceBytes
            case "srcpkts", "spkts": return .sourcePackets
            default: return nil                                   // Dir, sTos, dTos, Label, …
            }
        }
    }

    private mutating func flow(_ line: FieldBytes, separator: UInt8, columns: [Column?]) -> FlowLineOutcome {
        var builder = ConnRecordBuilder()
        var state = ByteText.slice(line, 0..<0)
        var totalPackets: UInt64 = 0, totalBytes: UInt64 = 0, sourcePackets: UInt64?, sourceBytes: UInt64?
        var sourceText = state, destinationText = state
        var column = 0
        var start = 0
        for index in 0...line.count where index == line.count || line[index] == separator {
            defer { column += 1; start = index + 1 }
            guard column < columns.count, let role = columns[column] else { continue }
            let value = ByteText.trimmed(ByteText.slice(line, start..<index))
            if value.isEmpty { continue }
            var problem: String?
            switch role {
            case .start:
                guard let micros = CivilTime.microseconds(value) ?? ByteText.microseconds(value) else {
                    return .problem(.badField, "StartTime: '\(ByteText.string(value))' is not a time")
                }
                builder.startMicroseconds = micros
            case .duration: problem = builder.set(.duration, value)
            case .proto:
                if ByteText.equalsIgnoringCase(value, "man") { return .skipped(.notIPFlow) }   // Argus management record
                problem = builder.set(.proto, value)
            case .source: sourceText = value
            case .destination: destinationText = value
            case .sourcePort: problem = builder.set(.origPort, value)
            case .destinationPort: problem = builder.set(.respPort, value)
            case .state: state = value
            case .totalPackets, .totalBytes, .sourceBytes, .sourcePackets:
                guard let number = ByteText.unsigned(value) else {
                    return .problem(.badField, "\(role): '\(ByteText.string(value))' is not a count")
                }
                switch role {
                case .totalPackets: totalPackets = number
                case .totalBytes: totalBytes = number
                case .sourceBytes: sourceBytes = number
                default: sourcePackets = number
                }
            }
            if let problem { return .problem(.badField, problem) }
        }
        if column < 2 { return .problem(.malformedLine, "not an Argus flow: \(column) column(s)") }
        // Slips rejects flows whose addresses are not IPs (MAC addresses of llc/arp frames, `0`).
        guard let source = ByteText.ipAddress(sourceText), let destination = ByteText.ipAddress(destinationText) else {
            if sourceText.isEmpty || destinationText.isEmpty {
                return .problem(.missingField, sourceText.isEmpty ? "no SrcAddr" : "no DstAddr")
            }
            return .skipped(.notIPFlow)
        }
        builder.originator = source
        builder.responder = destination
        let sentPackets = min(sourcePackets ?? totalPackets, totalPackets)
        let sentBytes = min(sourceBytes ?? totalBytes, totalBytes)
        builder.originatorPackets = sentPackets
        builder.responderPackets = totalPackets - sentPackets
        builder.originatorBytes = sentBytes
        builder.originatorIPBytes = sentBytes
        builder.responderBytes = totalBytes - sentBytes
        builder.responderIPBytes = totalBytes - sentBytes
        if let proto = builder.proto { builder.connState = ArgusStates.connState(state, proto: proto, packets: totalPackets) }
        switch builder.build(fallbackUID: uids.next()) {
        case .success(let record): return .record(.conn(record))
        case .failure(.field(let name)):
            let zeekName = "\(name)"
            return .problem(.missingField, "no \(zeekName == "ts" ? "StartTime" : zeekName == "proto" ? "Proto" : zeekName)")
        }
    }
}
