import NetCore

/// What identifies the fragments of one datagram: source, destination, identification, the protocol (IPv4 only,
/// RFC 791; IPv6 keys on the 32-bit identification, RFC 8200) and both VLAN ids.
struct FragmentKey: Hashable, BitwiseCopyable {
    var source: IPAddress
    var destination: IPAddress
    var identification: UInt32
    var ipProtocol: UInt8
    var vlans: UInt32

    /// The key of a decoded fragment.
    init(_ packet: DecodedPacket) {
        source = packet.srcIP
        destination = packet.dstIP
        identification = packet.fragmentID
        ipProtocol = packet.network == .ipv4 ? packet.fragmentNextHeader : 0
        vlans = UInt32(packet.outerVLAN) << 16 | UInt32(packet.innerVLAN)
    }
}
