extension PacketDecoder {
    /// IPv4, validated in order: captured ≥ 20, version, header length ≥ 20, header captured, total length ≥
    /// header, total length within what was on the wire. Padding after the total length is ignored. A later
    /// fragment (offset ≠ 0) has no transport header: it is marked, not guessed.
    static func decodeIPv4(_ bytes: UnsafeRawBufferPointer, at offset: Int, wire: Int,
                           into packet: inout DecodedPacket) throws(DecodeError) {
        let captured = bytes.count - offset
        guard captured >= 20 else { throw .ipv4Truncated }
        let first = bytes.u8(offset)
        guard first >> 4 == 4 else { throw .ipv4BadVersion }
        let headerLength = Int(first & 0x0F) * 4
        guard headerLength >= 20 else { throw .ipv4HeaderTooShort }
        guard headerLength <= captured else { throw .ipv4Truncated }
        let totalLength = Int(bytes.u16(offset + 2))
        guard totalLength >= headerLength else { throw .ipv4TotalLengthTooShort }
        guard totalLength <= wire - offset else { throw .ipv4TotalLengthBeyondCapture }

        packet.network = .ipv4
        packet.networkOffset = Int32(offset)
        packet.ipLength = Int32(totalLength)
        packet.ttl = bytes.u8(offset + 8)
        packet.ipProtocol = bytes.u8(offset + 9)
        packet.srcIP = IPAddress(ipv4: bytes.u32(offset + 12))
        packet.dstIP = IPAddress(ipv4: bytes.u32(offset + 16))
        let fragment = bytes.u16(offset + 6)
        let fragmentOffset = fragment & 0x1FFF
        packet.isFragment = (fragment & 0x2000) != 0 || fragmentOffset != 0
        if fragmentOffset != 0 {
            packet.isLaterFragment = true
            return
        }
        try decodeTransport(bytes, at: offset + headerLength, claimed: totalLength - headerLength,
                            icmpv6: false, into: &packet)
    }

    /// Deepest chain of IPv6 extension headers accepted.
    public static let maxIPv6Extensions = 8

    /// IPv6 and its extension headers (hop-by-hop, routing, fragment, destination options, AH, mobility).
    static func decodeIPv6(_ bytes: UnsafeRawBufferPointer, at offset: Int, wire: Int,
                           into packet: inout DecodedPacket) throws(DecodeError) {
        let captured = bytes.count - offset
        guard captured >= 40 else { throw .ipv6Truncated }
        guard bytes.u8(offset) >> 4 == 6 else { throw .ipv6BadVersion }
        var payloadLength = Int(bytes.u16(offset + 4))
        if payloadLength == 0 { payloadLength = wire - offset - 40 }     // jumbogram / GSO: trust the wire
        guard 40 + payloadLength <= wire - offset else { throw .ipv6PayloadBeyondCapture }

        packet.network = .ipv6
        packet.networkOffset = Int32(offset)
        packet.ipLength = Int32(40 + payloadLength)
        packet.ttl = bytes.u8(offset + 7)
        packet.srcIP = IPAddress(high: bytes.u64(offset + 8), low: bytes.u64(offset + 16))
        packet.dstIP = IPAddress(high: bytes.u64(offset + 24), low: bytes.u64(offset + 32))
        let end = offset + 40 + payloadLength
        var next = bytes.u8(offset + 6)
        var cursor = offset + 40
        var extensions = 0
        while true {
            let length: Int
            switch next {
            case 0, 43, 60, 135:
                guard cursor + 2 <= bytes.count, cursor + 2 <= end else { throw .ipv6ExtensionTruncated }
                length = (Int(bytes.u8(cursor + 1)) + 1) * 8
            case 51:
                guard cursor + 2 <= bytes.count, cursor + 2 <= end else { throw .ipv6ExtensionTruncated }
                length = (Int(bytes.u8(cursor + 1)) + 2) * 4
            case 44:
                guard cursor + 8 <= bytes.count, cursor + 8 <= end else { throw .ipv6ExtensionTruncated }
                length = 8
                let field = bytes.u16(cursor + 2)
                packet.isFragment = true
                if field >> 3 != 0 { packet.isLaterFragment = true }
            case 59:
                packet.ipProtocol = 59                               // no next header
                return
            default:
                packet.ipProtocol = next
                if packet.isLaterFragment { return }
                try decodeTransport(bytes, at: cursor, claimed: end - cursor, icmpv6: true, into: &packet)
                return
            }
            extensions += 1
            guard extensions <= maxIPv6Extensions else { throw .ipv6TooManyExtensions }
            guard cursor + length <= bytes.count, cursor + length <= end else { throw .ipv6ExtensionTruncated }
            next = bytes.u8(cursor)
            cursor += length
        }
    }
}
