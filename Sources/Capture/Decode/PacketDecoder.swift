/// Decodes packets straight from the capture buffer into a `DecodedPacket`: link layer (Ethernet with stacked
/// VLAN tags, Linux cooked SLL/SLL2, raw IP), ARP, IPv4, IPv6 with extension headers, TCP, UDP, ICMP, ICMPv6.
///
/// Nothing is copied and nothing allocated. Each header is validated in a fixed order before any field is used;
/// every malformation throws its own `DecodeError`. Checksums are never verified: NFQUEUE with GSO hands over
/// packets whose checksums are not filled in yet (`NFQA_SKB_CSUMNOTREADY`), and larger than the MTU.
public enum PacketDecoder {
    /// Deepest stack of VLAN tags accepted (802.1Q, 802.1ad, and the old 0x9100 QinQ tag).
    public static let maxVLANDepth = 4

    /// Decodes one packet.
    /// - Parameters:
    ///   - bytes: the captured bytes, starting at the link header of `linkType`.
    ///   - wireLength: the length on the wire; larger than `bytes.count` when the snaplen cut the packet
    ///     (legal: headers must be complete, the payload may be cut).
    ///   - time: capture time, copied into the result.
    ///   - linkType: the framing.
    /// - Throws: the `DecodeError` of the first malformation found. `unknownEtherType` marks a frame that is
    ///   neither IP nor ARP: not an error of the frame, but counted by the same mechanism.
    public static func decode(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                              linkType: LinkType) throws(DecodeError) -> DecodedPacket {
        var packet = DecodedPacket()
        packet.time = time
        packet.wireLength = Int32(truncatingIfNeeded: max(wireLength, bytes.count))
        packet.capturedLength = Int32(truncatingIfNeeded: bytes.count)
        let wire = max(wireLength, bytes.count)
        switch linkType {
        case .ethernet:
            try decodeEthernet(bytes, wire: wire, into: &packet)
        case .linuxSLL:
            try decodeSLL(bytes, wire: wire, into: &packet)
        case .linuxSLL2:
            try decodeSLL2(bytes, wire: wire, into: &packet)
        case .raw, .rawPcap, .nfqueue:
            try decodeRawIP(bytes, at: 0, wire: wire, into: &packet)
        case .ipv4:
            try decodeIPv4(bytes, at: 0, wire: wire, into: &packet)
        case .ipv6:
            try decodeIPv6(bytes, at: 0, wire: wire, into: &packet)
        }
        return packet
    }

    @inline(__always)
    static func decodeRawIP(_ bytes: UnsafeRawBufferPointer, at offset: Int, wire: Int,
                            into packet: inout DecodedPacket) throws(DecodeError) {
        guard bytes.count > offset else { throw .ipv4Truncated }
        switch bytes.u8(offset) >> 4 {
        case 4: try decodeIPv4(bytes, at: offset, wire: wire, into: &packet)
        case 6: try decodeIPv6(bytes, at: offset, wire: wire, into: &packet)
        default: throw .ipv4BadVersion
        }
    }

    /// Dispatches on an EtherType found at the end of a link header.
    @inline(__always)
    static func decodeNetwork(_ bytes: UnsafeRawBufferPointer, etherType: UInt16, at offset: Int, wire: Int,
                              into packet: inout DecodedPacket) throws(DecodeError) {
        switch etherType {
        case 0x0800: try decodeIPv4(bytes, at: offset, wire: wire, into: &packet)
        case 0x86DD: try decodeIPv6(bytes, at: offset, wire: wire, into: &packet)
        case 0x0806: try decodeARP(bytes, at: offset, into: &packet)
        default: throw .unknownEtherType
        }
    }
}
