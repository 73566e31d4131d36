import NetCore

/// One DHCP exchange, as Zeek's dhcp.log writes it (Zeek's field in each comment).
public struct DHCPRecord: Sendable, Hashable, RecordBody {
    /// The channel DHCP records travel on (Slips' `new_dhcp`).
    public static let channel = "new_dhcp"
    /// `ts`.
    public var time: PacketTime
    /// `uids`: the UDP connections of the exchange.
    public var uids: [FlowUID] = []
    /// `client_addr`.
    public var clientAddress: IPAddress?
    /// `server_addr`.
    public var serverAddress: IPAddress?
    /// `mac`: the client's hardware address.
    public var mac: MACAddress = .zero
    /// `host_name`.
    public var hostName: String = ""
    /// `client_fqdn`.
    public var clientFQDN: String = ""
    /// `domain`.
    public var domain: String = ""
    /// `requested_addr`.
    public var requestedAddress: IPAddress?
    /// `assigned_addr`.
    public var assignedAddress: IPAddress?
    /// `lease_time`, microseconds.
    public var leaseTime: Int64 = 0
    /// `msg_types` (`DISCOVER`, `OFFER`, `REQUEST`, `ACK`, …).
    public var messageTypes: [String] = []

    /// A record with the given time; the other fields at their unset values.
    public init(time: PacketTime) { self.time = time }

    /// The profile: the client (`client_addr`, else the address it asked for or was given, as Slips' `saddr`).
    public var profileIP: IPAddress { clientAddress ?? assignedAddress ?? requestedAddress ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .dhcp(self) }
    /// The dhcp record inside `record`, if it is one.
    public static func from(_ record: Record) -> DHCPRecord? { if case .dhcp(let value) = record { value } else { nil } }
}
