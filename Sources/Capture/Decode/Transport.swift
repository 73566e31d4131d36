import NetCore
import Records
/// Chooses the transport decoder for an IP protocol number. Runs on the capture thread.
enum Transport {
    /// Decodes the transport header at `offset`.
    /// - Parameters:
    ///   - proto: the IP protocol number after any extension headers.
    ///   - claimed: transport bytes the IP header claims (IPv4 total length or IPv6 payload length, less headers).
    ///   - end: offset one past the last byte of this IP packet present in the buffer (≤ `bytes.count`).
    /// - Throws: the transport's truncation or length errors.
    @inline(__always)
    static func decode(_ bytes: ByteReader, protocol proto: UInt8, at offset: Int, claimed: Int, end: Int,
                       into packet: inout DecodedPacket) throws(DecodeError) {
        switch proto {
        case IPProtocolNumber.tcp:
            try TCP.decode(bytes, at: offset, claimed: claimed, end: end, into: &packet)
        case IPProtocolNumber.udp:
            try UDP.decode(bytes, at: offset, claimed: claimed, end: end, into: &packet)
        case IPProtocolNumber.icmp:
            try ICMP.decode(bytes, at: offset, claimed: claimed, end: end, version6: false, into: &packet)
        case IPProtocolNumber.icmpv6:
            try ICMP.decode(bytes, at: offset, claimed: claimed, end: end, version6: true, into: &packet)
        default:
            setOpaquePayload(at: offset, claimed: claimed, end: end, into: &packet)
        }
    }

    /// Records a payload whose header is not decoded (later fragments, unknown protocols, no next header).
    @inline(__always)
    static func setOpaquePayload(at offset: Int, claimed: Int, end: Int, into packet: inout DecodedPacket) {
        packet.hasTransport = false
        setPayload(at: offset, claimed: claimed, end: end, into: &packet)
    }

    /// Records the payload at `offset`: `claimed` bytes per the headers, of which those before `end` were
    /// captured.
    @inline(__always)
    static func setPayload(at offset: Int, claimed: Int, end: Int, into packet: inout DecodedPacket) {
        packet.payloadOffset = Int32(offset)
        packet.payloadLength = Int32(max(claimed, 0))
        packet.payloadCaptured = Int32(max(min(claimed, end - offset), 0))
    }
}
