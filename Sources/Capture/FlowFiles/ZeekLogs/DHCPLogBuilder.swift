import NetCore
import Records

/// Zeek's dhcp.log fields → `DHCPRecord`.
struct DHCPLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = DHCPRecord(time: .zero)

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "uids": return value.uids(name, into: &record.uids)
        case "client_addr": return value.address(name, into: &record.clientAddress)
        case "server_addr": return value.address(name, into: &record.serverAddress)
        case "mac": return value.mac(name, into: &record.mac)
        case "host_name": return value.text(name, into: &record.hostName)
        case "client_fqdn": return value.text(name, into: &record.clientFQDN)
        case "domain": return value.text(name, into: &record.domain)
        case "requested_addr": return value.address(name, into: &record.requestedAddress)
        case "assigned_addr": return value.address(name, into: &record.assignedAddress)
        case "lease_time": return value.interval(name, into: &record.leaseTime)
        case "msg_types": return value.list(name, into: &record.messageTypes)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireTime().map { time in
            var built = record
            built.time = time
            if built.uids.isEmpty, let uid = common.uid { built.uids = [uid] }     // Zeek < 3: one uid
            return .dhcp(built)
        }
    }
}
