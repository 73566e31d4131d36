import NetCore
import Records

/// Collects the fields of one flow-file line (Zeek TSV or JSON, and the other formats through the same setters)
/// and makes the `ConnRecord`. A value type reset for every line; the numbers are parsed from the line's bytes.
struct ConnRecordBuilder {
    var startMicroseconds: Int64?
    var durationMicroseconds: Int64 = 0
    var uid: FlowUID?
    var originator: IPAddress?
    var originatorPort: UInt16 = 0
    var responder: IPAddress?
    var responderPort: UInt16 = 0
    var proto: TransportProtocol?
    var ipProtocol: UInt8 = 0
    var service = ""
    var originatorBytes: UInt64 = 0
    var responderBytes: UInt64 = 0
    var connState: ConnState?
    var history = ""
    var originatorPackets: UInt64 = 0
    var originatorIPBytes: UInt64 = 0
    var responderPackets: UInt64 = 0
    var responderIPBytes: UInt64 = 0
    var originatorMAC: MACAddress = .zero
    var responderMAC: MACAddress = .zero
    var outerVLAN: UInt16 = 0
    var innerVLAN: UInt16 = 0

    /// Sets `field` from its text. Returns the problem (`"id.orig_p: '80x' is not a port"`) when the text does not
    /// fit the field's type; the line is then counted as a bad field, never half-used.
    mutating func set(_ field: ConnField, _ bytes: FieldBytes) -> String? {
        switch field {
        case .ts:
            guard let value = ByteText.microseconds(bytes) ?? CivilTime.microseconds(bytes) else {
                return wrong(field, bytes, "is not a time")
            }
            startMicroseconds = value
        case .uid:
            uid = FlowUID(utf8: bytes)      // an id that is not base-62 text gets a number of its own
        case .origHost:
            guard let value = ByteText.ipAddress(bytes) else { return wrong(field, bytes, "is not an IP address") }
            originator = value
        case .respHost:
            guard let value = ByteText.ipAddress(bytes) else { return wrong(field, bytes, "is not an IP address") }
            responder = value
        case .origPort:
            guard let value = ByteText.port(bytes) else { return wrong(field, bytes, "is not a port") }
            originatorPort = value
        case .respPort:
            guard let value = ByteText.port(bytes) else { return wrong(field, bytes, "is not a port") }
            responderPort = value
        case .proto:
            guard let value = Self.transport(bytes) else { return wrong(field, bytes, "is not a transport protocol") }
            proto = value.proto
            ipProtocol = value.number
        case .service:
            service = ByteText.string(bytes)
        case .duration:
            guard let value = ByteText.microseconds(bytes), value >= 0 else { return wrong(field, bytes, "is not a duration") }
            durationMicroseconds = value
        case .connState:
            guard let value = Self.connState(bytes) else {
                return wrong(field, bytes, "is not a Zeek conn_state")
            }
            connState = value
        case .history:
            history = ByteText.string(bytes)
        case .origMAC, .respMAC:
            guard let value = MACAddress(ByteText.string(bytes)) else { return wrong(field, bytes, "is not a MAC address") }
            if field == .origMAC { originatorMAC = value } else { responderMAC = value }
        case .origBytes, .respBytes, .origPackets, .origIPBytes, .respPackets, .respIPBytes, .vlan, .innerVLAN:
            guard let value = ByteText.unsigned(bytes) else { return wrong(field, bytes, "is not a count") }
            switch field {
            case .origBytes: originatorBytes = value
            case .respBytes: responderBytes = value
            case .origPackets: originatorPackets = value
            case .origIPBytes: originatorIPBytes = value
            case .respPackets: responderPackets = value
            case .respIPBytes: responderIPBytes = value
            case .vlan, .innerVLAN:
                guard value <= 4095 else { return wrong(field, bytes, "is not a VLAN id") }
                if field == .vlan { outerVLAN = UInt16(value) } else { innerVLAN = UInt16(value) }
            default: break
            }
        }
        return nil
    }

    private func wrong(_ field: ConnField, _ bytes: FieldBytes, _ why: String) -> String {
        let shown = bytes.count > 40 ? ByteText.string(ByteText.slice(bytes, 0..<40)) + "…" : ByteText.string(bytes)
        return "\(field.zeekName): '\(shown)' \(why)"
    }

    /// Zeek's `conn_state` from its bytes (`S0`, `SF`, `REJ`, …), without making a `String`.
    @inline(__always)
    static func connState(_ bytes: FieldBytes) -> ConnState? {
        let eq = ByteText.equals
        switch bytes.count {
        case 2:
            guard bytes[0] == 0x53 else { return nil }                                  // 'S'
            switch bytes[1] {
            case 0x30: return .S0
            case 0x31: return .S1
            case 0x46: return .SF
            case 0x32: return .S2
            case 0x33: return .S3
            case 0x48: return .SH
            default: return nil
            }
        case 3: return eq(bytes, "REJ") ? .REJ : eq(bytes, "OTH") ? .OTH : eq(bytes, "SHR") ? .SHR : nil
        case 4: return eq(bytes, "RSTO") ? .RSTO : eq(bytes, "RSTR") ? .RSTR : nil
        case 5: return eq(bytes, "RSTRH") ? .RSTRH : nil
        case 6: return eq(bytes, "RSTOS0") ? .RSTOS0 : nil
        default: return nil
        }
    }

    /// `tcp`, `udp`, `icmp`, … (any case, Zeek's, Argus', Suricata's and nfdump's spellings) or an IP protocol
    /// number. Other names (`arp`, `llc`, `igmp`) are `.other` with protocol number 0 unless numeric.
    static func transport(_ bytes: FieldBytes) -> (proto: TransportProtocol, number: UInt8)? {
        if ByteText.equalsIgnoringCase(bytes, "tcp") { return (.tcp, 6) }
        if ByteText.equalsIgnoringCase(bytes, "udp") { return (.udp, 17) }
        if ByteText.equalsIgnoringCase(bytes, "icmp") { return (.icmp, 1) }
        if ByteText.equalsIgnoringCase(bytes, "ipv6-icmp") || ByteText.equalsIgnoringCase(bytes, "icmp6")
            || ByteText.equalsIgnoringCase(bytes, "icmpv6") { return (.icmpv6, 58) }
        if let number = ByteText.unsigned(bytes) {
            guard number <= 255 else { return nil }
            switch number {
            case 6: return (.tcp, 6)
            case 17: return (.udp, 17)
            case 1: return (.icmp, 1)
            case 58: return (.icmpv6, 58)
            default: return (.other, UInt8(number))
            }
        }
        guard !bytes.isEmpty, bytes.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || $0 == 0x2D || ($0 &- 0x30) < 10 })
        else { return nil }
        return (.other, 0)
    }

    /// What a line needs before it is a flow: its time and both addresses.
    enum Missing: Error { case field(StaticString) }

    /// The record, or the first required field (`ts`, `id.orig_h`, `id.resp_h`, `proto`) the line lacked.
    /// - Parameter fallbackUID: the uid of a line that carried none (or none slipsd can keep as text).
    func build(fallbackUID: FlowUID) -> Result<ConnRecord, Missing> {
        guard let start = startMicroseconds else { return .failure(.field("ts")) }
        guard let originator else { return .failure(.field("id.orig_h")) }
        guard let responder else { return .failure(.field("id.resp_h")) }
        guard let proto else { return .failure(.field("proto")) }
        let startTime = Self.clamped(start)
        let record = ConnRecord(
            startTime: startTime, lastTime: startTime.adding(microseconds: durationMicroseconds),
            uid: uid ?? fallbackUID, originator: originator, originatorPort: originatorPort,
            responder: responder, responderPort: responderPort,
            proto: proto == .icmp && !originator.isIPv4 ? .icmpv6 : proto,
            ipProtocol: proto == .icmp && !originator.isIPv4 ? 58 : ipProtocol,
            outerVLAN: outerVLAN, innerVLAN: innerVLAN,
            originatorBytes: originatorBytes, responderBytes: responderBytes,
            connState: connState ?? .OTH, service: service, history: history,
            originatorPackets: originatorPackets, originatorIPBytes: originatorIPBytes,
            responderPackets: responderPackets, responderIPBytes: responderIPBytes,
            originatorMAC: originatorMAC, responderMAC: responderMAC, reason: .expired,
            handshake: false, flipped: history.utf8.contains(0x5E))                     // '^'
        return .success(record)
    }

    /// A file's time, kept inside `0...PacketTime.latest` as capture times are.
    static func clamped(_ microseconds: Int64) -> PacketTime {
        PacketTime(microseconds: min(max(0, microseconds), PacketTime.latest.microseconds))
    }
}
