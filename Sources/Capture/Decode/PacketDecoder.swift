import NetCore
import Records
/// Zero-copy decoding of one captured packet into a `DecodedPacket`.
///
/// Reads straight from the borrowed capture buffer: no heap allocation, no copy of packet bytes, no existential
/// or closure per packet. Every malformation throws its own `DecodeError` (typed throws), which the caller counts
/// (`DecodeCounters`) and then lets the packet pass (inline) or skips it (passive); nothing crashes.
///
/// Non-IP traffic: a frame whose EtherType (after VLAN tags) is neither IPv4, IPv6 nor ARP throws
/// `DecodeError.unknownEtherType`. It is not a malformation (`DecodeError.isMalformation` is false): the packet
/// has nothing the flow table or the detectors can use, so one `catch` path handles everything that is not
/// decoded, and the counter labelled `unknown_ethertype` tells how much non-IP traffic was seen. The decoder
/// therefore never returns `network == .other`.
///
/// Called on the capture thread (pcap or NFQUEUE) while the bytes are valid; stateless and thread-safe.
public enum PacketDecoder {
    /// Decodes one packet.
    /// - Parameters:
    ///   - bytes: the captured bytes, starting at the link header of `linkType` (`caplen` bytes).
    ///   - wireLength: the packet's length on the wire (`pcap_pkthdr.len`; for NFQUEUE the payload length).
    ///     A value below `bytes.count` is treated as `bytes.count`.
    ///   - time: the capture time, copied into the result.
    ///   - linkType: the framing. `.raw`, `.rawPcap` and `.nfqueue` pick IPv4 or IPv6 from the first nibble
    ///     (an empty buffer is `ipv4Truncated`, a nibble other than 4 or 6 is `ipv4BadVersion`).
    /// - Returns: addresses, ports, flags and lengths by value; offsets point into `bytes`.
    /// - Throws: the `DecodeError` of the first malformation found, or `unknownEtherType` for non-IP frames.
    public static func decode(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                              linkType: LinkType) throws(DecodeError) -> DecodedPacket {
        var packet = DecodedPacket()
        packet.time = time
        packet.capturedLength = Int32(clamping: bytes.count)
        packet.wireLength = Int32(clamping: wireLength)
        try decodeFrame(bytes, wireEnd: max(wireLength, bytes.count), linkType: linkType, into: &packet)
        return packet
    }

    /// Decodes one packet into `packet`, which is reset first: the same as
    /// `decode(_:wireLength:time:linkType:)` without returning the ~170-byte result by value, so a capture loop
    /// can reuse one `DecodedPacket` and skip a copy per packet (measured: the by-value return costs a
    /// `memmove` per packet). After a throw, `packet` holds whatever was decoded before the error: do not use it.
    /// - Throws: as `decode(_:wireLength:time:linkType:)`.
    @inline(__always)
    public static func decode(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                              linkType: LinkType, into packet: inout DecodedPacket) throws(DecodeError) {
        packet = DecodedPacket()
        packet.time = time
        packet.capturedLength = Int32(clamping: bytes.count)
        packet.wireLength = Int32(clamping: wireLength)
        try decodeFrame(bytes, wireEnd: max(wireLength, bytes.count), linkType: linkType, into: &packet)
    }

    /// Decodes one packet whose framing is given as a raw libpcap DLT / LINKTYPE value (`pcap_datalink`).
    /// - Throws: `unsupportedLinkType` when `dataLinkType` is not a `LinkType`; otherwise as
    ///   `decode(_:wireLength:time:linkType:)`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                              dataLinkType: Int32) throws(DecodeError) -> DecodedPacket {
        guard let linkType = LinkType(rawValue: dataLinkType) else { throw .unsupportedLinkType }
        return try decode(bytes, wireLength: wireLength, time: time, linkType: linkType)
    }

    /// Decodes the link layer, then the network layer it announces.
    @inline(__always)
    private static func decodeFrame(_ raw: UnsafeRawBufferPointer, wireEnd: Int, linkType: LinkType,
                            into packet: inout DecodedPacket) throws(DecodeError) {
        let bytes = ByteReader(raw)
        let network: (etherType: UInt16, offset: Int)
        switch linkType {
        case .ethernet:
            network = try Ethernet.decode(bytes, into: &packet)
        case .linuxSLL:
            network = try LinuxCooked.decodeSLL(bytes, into: &packet)
        case .linuxSLL2:
            network = try LinuxCooked.decodeSLL2(bytes, into: &packet)
        case .ipv4:
            try IPv4.decode(bytes, at: 0, wireEnd: wireEnd, into: &packet)
            return
        case .ipv6:
            try IPv6.decode(bytes, at: 0, wireEnd: wireEnd, into: &packet)
            return
        case .raw, .rawPcap, .nfqueue:
            guard bytes.has(1, at: 0) else { throw .ipv4Truncated }
            switch bytes.u8(at: 0) >> 4 {
            case 4: try IPv4.decode(bytes, at: 0, wireEnd: wireEnd, into: &packet)
            case 6: try IPv6.decode(bytes, at: 0, wireEnd: wireEnd, into: &packet)
            default: throw .ipv4BadVersion
            }
            return
        }
        switch network.etherType {
        case Ethernet.etherTypeIPv4:
            try IPv4.decode(bytes, at: network.offset, wireEnd: wireEnd, into: &packet)
        case Ethernet.etherTypeIPv6:
            try IPv6.decode(bytes, at: network.offset, wireEnd: wireEnd, into: &packet)
        case Ethernet.etherTypeARP:
            try ARP.decode(bytes, at: network.offset, into: &packet)
        default:
            throw .unknownEtherType
        }
    }
}
