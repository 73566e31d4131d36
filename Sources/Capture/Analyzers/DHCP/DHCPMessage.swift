import NetCore

/// The fields of one DHCP message the dhcp record needs: the BOOTP header's op, xid, ciaddr, yiaddr and chaddr,
/// and the options 12, 15, 50, 51, 53, 54, 61 and 81.
struct DHCPMessage: Equatable {
    /// 1: a client's request, 2: a server's reply.
    var op: UInt8
    var xid: UInt32
    var clientAddress: IPAddress
    var yourAddress: IPAddress
    /// `chaddr`, when the hardware is Ethernet (htype 1, hlen 6).
    var hardwareAddress: MACAddress?
    /// Option 53.
    var messageType: UInt8
    /// Option 12, 15, 81 (its domain name).
    var hostName: String?
    var domain: String?
    var clientFQDN: String?
    /// Option 50, 54.
    var requestedAddress: IPAddress?
    var serverIdentifier: IPAddress?
    /// Option 51, seconds.
    var leaseSeconds: UInt32?
    /// Option 61 with hardware type 1: the client's MAC.
    var clientIdentifierMAC: MACAddress?

    /// Zeek's names of the message types (`DHCP::message_types`).
    static let typeNames = ["", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM",
                            "FORCERENEW", "LEASEQUERY", "LEASEUNASSIGNED", "LEASEUNKNOWN", "LEASEACTIVE",
                            "BULKLEASEQUERY", "LEASEQUERYDONE", "ACTIVELEASEQUERY", "LEASEQUERYSTATUS", "TLS"]

    /// The message type's name.
    var typeName: String { Int(messageType) < Self.typeNames.count ? Self.typeNames[Int(messageType)] : "" }
}
