import Records

extension ZeekLogLine {
    /// A dns record as a dns.log line.
    mutating func dns(_ r: DNSRecord) -> [UInt8] {
        begin()
        connection(time: r.time, uid: r.uid,
                   id: ConnectionID(originator: r.originator, originatorPort: r.originatorPort,
                                    responder: r.responder, responderPort: r.responderPort))
        string("proto", r.proto.description)
        count("trans_id", UInt64(r.transID))
        real("rtt", r.rtt)
        string("query", r.query)
        count("qclass", r.qclass.map(UInt64.init))
        string("qclass_name", r.qclassName ?? "")
        count("qtype", r.qtype.map(UInt64.init))
        string("qtype_name", r.qtypeName ?? "")
        count("rcode", r.rcode.map(UInt64.init))
        string("rcode_name", r.rcodeName ?? "")
        bool("AA", r.AA)
        bool("TC", r.TC)
        bool("RD", r.RD)
        bool("RA", r.RA)
        count("Z", UInt64(r.Z))
        strings("answers", r.answers)
        reals("TTLs", r.TTLs)
        bool("rejected", r.rejected)
        return end()
    }
}
