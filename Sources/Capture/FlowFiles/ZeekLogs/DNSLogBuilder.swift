import NetCore
import Records

/// Zeek's dns.log fields → `DNSRecord` (the record the DNS analyzer fills from packets).
struct DNSLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var proto = TransportProtocol.udp
    private var transID: UInt64? = nil
    private var rtt: Int64? = nil
    private var query = ""
    private var qclass: UInt64? = nil, qtype: UInt64? = nil, rcode: UInt64? = nil, z: UInt64? = nil
    private var qclassName = "", qtypeName = "", rcodeName = ""
    private var aa = false, tc = false, rd = false, ra = false, rejected = false
    private var answers: [String] = []
    private var ttls: [String] = []

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "proto":
            switch value.text {
            case "udp": proto = .udp
            case "tcp": proto = .tcp
            default: return value.wrong(name, "is not udp or tcp")
            }
            return nil
        case "trans_id": return value.count(name, into: &transID)
        case "rtt":
            var micros: Int64 = 0
            if let problem = value.interval(name, into: &micros) { return problem }
            rtt = micros
            return nil
        case "query": return value.text(name, into: &query)
        case "qclass": return value.count(name, into: &qclass)
        case "qclass_name": return value.text(name, into: &qclassName)
        case "qtype": return value.count(name, into: &qtype)
        case "qtype_name": return value.text(name, into: &qtypeName)
        case "rcode": return value.count(name, into: &rcode)
        case "rcode_name": return value.text(name, into: &rcodeName)
        case "AA": return value.flag(name, into: &aa)
        case "TC": return value.flag(name, into: &tc)
        case "RD": return value.flag(name, into: &rd)
        case "RA": return value.flag(name, into: &ra)
        case "Z": return value.count(name, into: &z)
        case "answers": return value.list(name, into: &answers)
        case "TTLs": return value.list(name, into: &ttls)
        case "rejected": return value.flag(name, into: &rejected)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireConnection().map { time in
            let id = common.id
            return .dns(DNSRecord(
                time: time, uid: common.uid ?? fallbackUID, originator: id.originator!, originatorPort: id.originatorPort,
                responder: id.responder!, responderPort: id.responderPort, proto: proto,
                transID: UInt16(truncatingIfNeeded: transID ?? 0), rtt: rtt.map { Double($0) / 1_000_000 },
                query: query, qclass: qclass.map { UInt16(truncatingIfNeeded: $0) },
                qclassName: qclassName.isEmpty ? nil : qclassName,
                qtype: qtype.map { UInt16(truncatingIfNeeded: $0) }, qtypeName: qtypeName.isEmpty ? nil : qtypeName,
                rcode: rcode.map { UInt8(truncatingIfNeeded: $0) }, rcodeName: rcodeName.isEmpty ? nil : rcodeName,
                AA: aa, TC: tc, RD: rd, RA: ra, Z: UInt8(truncatingIfNeeded: z ?? 0),
                answers: answers, TTLs: ttls.compactMap(Double.init), rejected: rejected))
        }
    }
}
