extension PacketDecoder {
    /// Ethernet II with up to `maxVLANDepth` stacked 802.1Q (0x8100), 802.1ad (0x88a8) or 0x9100 tags.
    static func decodeEthernet(_ bytes: UnsafeRawBufferPointer, wire: Int,
                               into packet: inout DecodedPacket) throws(DecodeError) {
        guard bytes.count >= 14 else { throw .ethernetTruncated }
        packet.dstMAC = MACAddress(bytes: bytes, offset: 0)
        packet.srcMAC = MACAddress(bytes: bytes, offset: 6)
        var etherType = bytes.u16(12)
        var offset = 14
        var depth = 0
        while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
            depth += 1
            guard depth <= maxVLANDepth else { throw .vlanTooDeep }
            guard bytes.count >= offset + 4 else { throw .vlanTruncated }
            let vlan = bytes.u16(offset) & 0x0FFF
            if depth == 1 { packet.outerVLAN = vlan } else if depth == 2 { packet.innerVLAN = vlan }
            etherType = bytes.u16(offset + 2)
            offset += 4
        }
        try decodeNetwork(bytes, etherType: etherType, at: offset, wire: wire, into: &packet)
    }

    /// Linux cooked capture v1: 16 bytes; protocol at 14, link-layer address (length at 4) at 6.
    static func decodeSLL(_ bytes: UnsafeRawBufferPointer, wire: Int,
                          into packet: inout DecodedPacket) throws(DecodeError) {
        guard bytes.count >= 16 else { throw .sllTruncated }
        if bytes.u16(4) == 6 { packet.srcMAC = MACAddress(bytes: bytes, offset: 6) }
        try decodeNetwork(bytes, etherType: bytes.u16(14), at: 16, wire: wire, into: &packet)
    }

    /// Linux cooked capture v2: 20 bytes; protocol at 0, address length at 11, address at 12.
    static func decodeSLL2(_ bytes: UnsafeRawBufferPointer, wire: Int,
                           into packet: inout DecodedPacket) throws(DecodeError) {
        guard bytes.count >= 20 else { throw .sllTruncated }
        if bytes.u8(11) == 6 { packet.srcMAC = MACAddress(bytes: bytes, offset: 12) }
        try decodeNetwork(bytes, etherType: bytes.u16(0), at: 20, wire: wire, into: &packet)
    }

    /// ARP for Ethernet and IPv4 (28 bytes); other hardware or protocol types are `arpUnsupported`.
    static func decodeARP(_ bytes: UnsafeRawBufferPointer, at offset: Int,
                          into packet: inout DecodedPacket) throws(DecodeError) {
        guard bytes.count >= offset + 8 else { throw .arpTruncated }
        guard bytes.u16(offset) == 1, bytes.u16(offset + 2) == 0x0800, bytes.u8(offset + 4) == 6,
              bytes.u8(offset + 5) == 4 else { throw .arpUnsupported }
        guard bytes.count >= offset + 28 else { throw .arpTruncated }
        packet.network = .arp
        packet.networkOffset = Int32(offset)
        packet.arpOperation = bytes.u16(offset + 6)
        packet.arpSenderMAC = MACAddress(bytes: bytes, offset: offset + 8)
        packet.srcIP = IPAddress(ipv4: bytes.u32(offset + 14))
        packet.arpTargetMAC = MACAddress(bytes: bytes, offset: offset + 18)
        packet.dstIP = IPAddress(ipv4: bytes.u32(offset + 24))
    }
}
