import Records

extension ZeekLogLine {
    /// A dhcp record as a dhcp.log line (`lease_time` an interval in seconds).
    mutating func dhcp(_ r: DHCPRecord) -> [UInt8] {
        begin()
        time("ts", r.time)
        strings("uids", r.uids.map(\.description))
        address("client_addr", r.clientAddress)
        address("server_addr", r.serverAddress)
        if r.mac != .zero { string("mac", r.mac.description) }
        string("host_name", r.hostName)
        string("client_fqdn", r.clientFQDN)
        string("domain", r.domain)
        address("requested_addr", r.requestedAddress)
        address("assigned_addr", r.assignedAddress)
        if r.leaseTime > 0 { interval("lease_time", microseconds: r.leaseTime) }
        strings("msg_types", r.messageTypes)
        return end()
    }
}
