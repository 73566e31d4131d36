import NetCore
import Records
/// UDP (RFC 768): ports and the length field.
///
/// The length field must be at least 8 and no larger than the IP payload, except in a first fragment, where it
/// covers the whole datagram; there the payload is what this fragment carries. Checksums are not verified.
/// Runs on the capture thread.
enum UDP {
    /// Length of the header in bytes.
    static let headerLength = 8

    /// Decodes the UDP header at `offset`.
    /// - Throws: `udpTruncated` (header cut or beyond the IP packet), `udpLengthInvalid`.
    @inline(__always)
    static func decode(_ bytes: ByteReader, at offset: Int, claimed: Int, end: Int,
                       into packet: inout DecodedPacket) throws(DecodeError) {
        guard claimed >= headerLength, end - offset >= headerLength else { throw .udpTruncated }
        let length = Int(bytes.be16(at: offset + 4))
        guard length >= headerLength, length <= claimed || packet.isFragment else { throw .udpLengthInvalid }
        packet.srcPort = bytes.be16(at: offset)
        packet.dstPort = bytes.be16(at: offset + 2)
        packet.hasTransport = true
        let datagramEnd = packet.isFragment ? claimed : length
        Transport.setPayload(at: offset + headerLength, claimed: datagramEnd - headerLength, end: end,
                             into: &packet)
    }
}
