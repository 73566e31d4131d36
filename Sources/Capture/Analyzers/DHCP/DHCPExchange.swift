import NetCore
import Records

/// The messages of one DHCP transaction id aggregated into one dhcp record as Zeek's dhcp.log does
/// (`DHCP::aggregate_msgs`): client messages give the client's address, host name, FQDN, MAC (option 61 first)
/// and requested address; server messages that hand out an address give the server's address, the assigned
/// address, the domain and the lease time. A server's message never sets the client's address: a forged reply
/// would name a host that sent nothing.
struct DHCPExchange {
    var record: DHCPRecord
    /// When its last message was seen.
    var lastTime: PacketTime
    /// The client's `chaddr`, used for `mac` when no better source came.
    var clientHardware: MACAddress?
    /// Bytes charged to the budget.
    var cost: Int

    /// Zeek writes the record when the uids or the message types reach these counts.
    static let maxUIDs = 10
    static let maxMessageTypes = 50

    init(time: PacketTime, cost: Int) {
        record = DHCPRecord(time: time)
        lastTime = time
        self.cost = cost
    }

    /// Adds one message that travelled from `source` on flow `uid`.
    mutating func add(_ message: DHCPMessage, uid: FlowUID, source: IPAddress, time: PacketTime) {
        lastTime = time
        if !record.uids.contains(uid) { record.uids.append(uid) }
        record.messageTypes.append(message.typeName)
        if message.op == 1 {
            if !source.isUnspecifiedOrBroadcast { record.clientAddress = source }
            if let name = message.hostName { record.hostName = name }
            if let fqdn = message.clientFQDN { record.clientFQDN = fqdn }
            if let mac = message.clientIdentifierMAC { record.mac = mac } else { clientHardware = message.hardwareAddress }
            if let requested = message.requestedAddress { record.requestedAddress = requested }
        } else {
            if message.yourAddress != .zeroIPv4, !source.isUnspecifiedOrBroadcast { record.serverAddress = source }
            if record.mac == .zero, let mac = message.hardwareAddress, mac != .zero { record.mac = mac }
            if message.yourAddress != .zeroIPv4 { record.assignedAddress = message.yourAddress }
            if let domain = message.domain { record.domain = domain }
            if let lease = message.leaseSeconds { record.leaseTime = Int64(lease) * 1_000_000 }
        }
    }

    /// Full by Zeek's limits: written at once.
    var isFull: Bool { record.uids.count >= Self.maxUIDs || record.messageTypes.count >= Self.maxMessageTypes }

    /// The record as written: the client's `chaddr` as `mac` when nothing better was seen.
    var finished: DHCPRecord {
        var copy = record
        if copy.mac == .zero, let hardware = clientHardware { copy.mac = hardware }
        return copy
    }
}

extension IPAddress {
    /// 0.0.0.0 or 255.255.255.255 (a DHCP client without an address, or a broadcast).
    var isUnspecifiedOrBroadcast: Bool { self == .zeroIPv4 || self == IPAddress(ipv4: 0xFFFF_FFFF) }
}
