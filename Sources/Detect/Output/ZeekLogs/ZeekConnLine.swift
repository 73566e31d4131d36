import Records

extension ZeekLogLine {
    /// A final flow record as a conn.log line: Zeek's fields, `service` when an analyzer confirmed the protocol.
    mutating func conn(_ r: ConnRecord) -> [UInt8] {
        begin()
        connection(time: r.startTime, uid: r.uid,
                   id: ConnectionID(originator: r.originator, originatorPort: r.originatorPort,
                                    responder: r.responder, responderPort: r.responderPort))
        string("proto", r.proto.description)
        string("service", r.service)
        interval("duration", microseconds: r.lastTime.microseconds &- r.startTime.microseconds)
        count("orig_bytes", r.originatorBytes)
        count("resp_bytes", r.responderBytes)
        string("conn_state", r.connState.rawValue)
        string("history", r.history)
        count("orig_pkts", r.originatorPackets)
        count("orig_ip_bytes", r.originatorIPBytes)
        count("resp_pkts", r.responderPackets)
        count("resp_ip_bytes", r.responderIPBytes)
        if r.originatorMAC != .zero || r.responderMAC != .zero {
            string("orig_l2_addr", r.originatorMAC.description)
            string("resp_l2_addr", r.responderMAC.description)
        }
        if r.outerVLAN != 0 { count("vlan", UInt64(r.outerVLAN)) }
        if r.innerVLAN != 0 { count("inner_vlan", UInt64(r.innerVLAN)) }
        return end()
    }
}
