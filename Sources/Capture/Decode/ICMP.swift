import NetCore
import Records
/// ICMP (RFC 792) and ICMPv6 (RFC 4443): type and code, then the payload after the 8-byte header.
///
/// As Zeek does, the type goes to `srcPort` and the code to `dstPort` so ICMP flows key like the others.
/// Checksums are not verified. Runs on the capture thread.
enum ICMP {
    /// Length of the header (type, code, checksum, 4 bytes of rest-of-header) in bytes.
    static let headerLength = 8

    /// Decodes the ICMP or ICMPv6 header at `offset`.
    /// - Throws: `icmpTruncated` or `icmpv6Truncated` when the 8-byte header is cut or beyond the IP packet.
    @inline(__always)
    static func decode(_ bytes: ByteReader, at offset: Int, claimed: Int, end: Int, version6: Bool,
                       into packet: inout DecodedPacket) throws(DecodeError) {
        guard claimed >= headerLength, end - offset >= headerLength else {
            throw version6 ? .icmpv6Truncated : .icmpTruncated
        }
        let type = bytes.u8(at: offset)
        let code = bytes.u8(at: offset + 1)
        packet.icmpType = type
        packet.icmpCode = code
        packet.srcPort = UInt16(type)
        packet.dstPort = UInt16(code)
        packet.hasTransport = true
        Transport.setPayload(at: offset + headerLength, claimed: claimed - headerLength, end: end, into: &packet)
    }
}
