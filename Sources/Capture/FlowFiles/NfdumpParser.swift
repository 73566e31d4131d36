import NetCore
import Records

/// The CSV that `nfdump -o csv` prints: a header naming the columns (`ts,te,td,sa,da,sp,dp,pr,flg,…,ipkt,ibyt,
/// opkt,obyt,…`), one flow per line, then (after a blank line in some versions) a `Summary` block, which ends the flows.
///
/// Columns read: `ts` (start), `td` (duration), `sa`/`sp` (originator), `da`/`dp` (responder), `pr`, `flg` (TCP
/// flags, `...AP.SF`), `ipkt`/`ibyt` (originator packets and bytes), `opkt`/`obyt` (responder). nfdump counts
/// whole packets: the byte counts fill both the payload and IP byte fields. The TCP flags, ORed over the flow,
/// give the state (Slips reads nfdump flags as Argus states, which makes every nfdump flow "not established";
/// slipsd reads them as flags): SYN and ACK with packets both ways → `SF` with FIN, `RSTO` with RST, else `S1`;
/// SYN without an answer → `S0`; SYN answered by a reset → `REJ`; no SYN → `OTH` (midstream). UDP: `SF` when both
/// sides sent, else `S0`. ICMP: `OTH`. Confined to the reading thread.
struct NfdumpParser {
    private enum Column { case start, duration, source, destination, sourcePort, destinationPort, proto, flags
        case inPackets, inBytes, outPackets, outBytes }

    private var columns: [Column?]?
    private var ended = false
    private var uids = FallbackUIDs()

    init() {}

    /// Reads one line of nfdump's output.
    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        let content = ByteText.trimmed(line)
        if ended { return .header }
        // The flows end at a blank line or at the trailer (`Summary`, `flows,bytes,…`; `No matching flows`).
        if content.isEmpty || ByteText.hasPrefix(content, "Summary") || ByteText.hasPrefix(content, "No matching") {
            if columns != nil || !content.isEmpty { ended = true }
            return .header
        }
        guard let columns else {
            guard ByteText.hasPrefix(content, "ts,") else { return .problem(.malformedLine, "nfdump printed no CSV header") }
            self.columns = content.split(separator: 0x2C, omittingEmptySubsequences: false).map { raw -> Column? in
                switch String(decoding: raw, as: UTF8.self) {
                case "ts": .start
                case "td": .duration
                case "sa": .source
                case "da": .destination
                case "sp": .sourcePort
                case "dp": .destinationPort
                case "pr": .proto
                case "flg": .flags
                case "ipkt": .inPackets
                case "ibyt": .inBytes
                case "opkt": .outPackets
                case "obyt": .outBytes
                default: nil
                }
            }
            return .header
        }
        var builder = ConnRecordBuilder()
        var flags = ByteText.slice(content, 0..<0)
        var column = 0
        var start = 0
        for index in 0...content.count where index == content.count || content[index] == 0x2C {
            defer { column += 1; start = index + 1 }
            guard column < columns.count, let role = columns[column] else { continue }
            let value = ByteText.trimmed(ByteText.slice(content, start..<index))
            var problem: String?
            switch role {
            case .start:
                guard let micros = CivilTime.microseconds(value) else {
                    return .problem(.badField, "ts: '\(ByteText.string(value))' is not a time")
                }
                builder.startMicroseconds = micros
            case .duration: problem = builder.set(.duration, value)
            case .source: problem = builder.set(.origHost, value)
            case .destination: problem = builder.set(.respHost, value)
            case .sourcePort: problem = builder.set(.origPort, ByteText.integerPart(value))
            case .destinationPort: problem = builder.set(.respPort, ByteText.integerPart(value))
            case .proto: problem = builder.set(.proto, value)
            case .flags: flags = value
            case .inPackets: problem = builder.set(.origPackets, value)
            case .inBytes: problem = builder.set(.origBytes, value)
            case .outPackets: problem = builder.set(.respPackets, value)
            case .outBytes: problem = builder.set(.respBytes, value)
            }
            if let problem { return .problem(.badField, problem) }
        }
        if column < columns.count { return .problem(.malformedLine, "\(column) columns where the header has \(columns.count)") }
        builder.originatorIPBytes = builder.originatorBytes
        builder.responderIPBytes = builder.responderBytes
        if let proto = builder.proto {
            builder.connState = Self.connState(flags, proto: proto, answered: builder.responderPackets > 0)
        }
        switch builder.build(fallbackUID: uids.next()) {
        case .success(let record): return .record(.conn(record))
        case .failure(.field(let name)): return .problem(.missingField, "no \(name)")
        }
    }

    /// The conn_state of an nfdump flow from its ORed TCP flags (`...AP.SF`: C E U A P R S F).
    static func connState(_ flags: FieldBytes, proto: TransportProtocol, answered: Bool) -> ConnState {
        switch proto {
        case .icmp, .icmpv6, .other: return .OTH
        case .udp: return answered ? .SF : .S0
        case .tcp:
            let syn = flags.contains(0x53), ack = flags.contains(0x41), rst = flags.contains(0x52), fin = flags.contains(0x46)
            if !syn { return .OTH }
            if !answered { return .S0 }
            if !ack || (rst && !fin && !flags.contains(0x50)) { return rst ? .REJ : .S0 }   // 'P': data went through
            if fin { return .SF }
            return rst ? .RSTO : .S1
        }
    }
}

extension ByteText {
    /// `80` from `80` and from `80.0` (nfdump prints ICMP type.code in the port column).
    static func integerPart(_ bytes: FieldBytes) -> FieldBytes {
        guard let dot = bytes.firstIndex(of: 0x2E) else { return bytes }
        return slice(bytes, 0..<dot)
    }
}
