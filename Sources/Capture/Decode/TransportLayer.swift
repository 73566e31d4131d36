extension PacketDecoder {
    /// TCP, UDP, ICMP and ICMPv6 headers. `claimed` is the transport length the IP header states; headers must
    /// be complete in the buffer, the payload may be cut by the snaplen (`payloadCaptured < payloadLength`).
    @inline(__always)
    static func decodeTransport(_ bytes: UnsafeRawBufferPointer, at offset: Int, claimed: Int, icmpv6: Bool,
                                into packet: inout DecodedPacket) throws(DecodeError) {
        let captured = bytes.count - offset
        switch packet.ipProtocol {
        case IPProtocolNumber.tcp:
            guard captured >= 20, claimed >= 20 else { throw .tcpTruncated }
            let headerLength = Int(bytes.u8(offset + 12) >> 4) * 4
            guard headerLength >= 20 else { throw .tcpHeaderTooShort }
            guard headerLength <= captured, headerLength <= claimed else { throw .tcpOptionsTruncated }
            packet.srcPort = bytes.u16(offset)
            packet.dstPort = bytes.u16(offset + 2)
            packet.tcpSeq = bytes.u32(offset + 4)
            packet.tcpAck = bytes.u32(offset + 8)
            packet.tcpFlags = bytes.u8(offset + 13)
            packet.tcpWindow = bytes.u16(offset + 14)
            setPayload(offset: offset + headerLength, length: claimed - headerLength, bytes: bytes, into: &packet)
        case IPProtocolNumber.udp:
            guard captured >= 8, claimed >= 8 else { throw .udpTruncated }
            let length = Int(bytes.u16(offset + 4))
            guard length >= 8, length <= claimed else { throw .udpLengthInvalid }
            packet.srcPort = bytes.u16(offset)
            packet.dstPort = bytes.u16(offset + 2)
            setPayload(offset: offset + 8, length: length - 8, bytes: bytes, into: &packet)
        case IPProtocolNumber.icmp where !icmpv6, IPProtocolNumber.icmpv6 where icmpv6:
            guard captured >= 8, claimed >= 8 else { throw icmpv6 ? .icmpv6Truncated : .icmpTruncated }
            packet.icmpType = bytes.u8(offset)
            packet.icmpCode = bytes.u8(offset + 1)
            packet.srcPort = UInt16(packet.icmpType)
            packet.dstPort = UInt16(packet.icmpCode)
            setPayload(offset: offset + 8, length: claimed - 8, bytes: bytes, into: &packet)
        default:
            setPayload(offset: offset, length: claimed, bytes: bytes, into: &packet)
            return
        }
        packet.hasTransport = true
    }

    @inline(__always)
    private static func setPayload(offset: Int, length: Int, bytes: UnsafeRawBufferPointer,
                                   into packet: inout DecodedPacket) {
        packet.payloadOffset = Int32(offset)
        packet.payloadLength = Int32(max(length, 0))
        packet.payloadCaptured = Int32(max(0, min(length, bytes.count - offset)))
    }
}
