import NetCore
import Records
/// TCP (RFC 9293): ports, sequence and acknowledgement numbers, flags, window, header length with options.
///
/// The 20-byte fixed header and the options must be complete in both the capture and the IP packet; the
/// payload may be cut by the snaplen. Checksums are not verified (NFQUEUE GSO). Runs on the capture thread.
enum TCP {
    /// Length of the header without options in bytes.
    static let minimumHeaderLength = 20

    /// Decodes the TCP header at `offset`.
    /// - Throws: `tcpTruncated` (fixed header cut or beyond the IP packet), `tcpHeaderTooShort` (data offset
    ///   below 5), `tcpOptionsTruncated` (options beyond the capture or the IP packet).
    @inline(__always)
    static func decode(_ bytes: ByteReader, at offset: Int, claimed: Int, end: Int,
                       into packet: inout DecodedPacket) throws(DecodeError) {
        guard claimed >= minimumHeaderLength, end - offset >= minimumHeaderLength else { throw .tcpTruncated }
        let headerLength = Int(bytes.u8(at: offset + 12) >> 4) &* 4
        guard headerLength >= minimumHeaderLength else { throw .tcpHeaderTooShort }
        guard headerLength <= claimed, headerLength <= end - offset else { throw .tcpOptionsTruncated }
        packet.srcPort = bytes.be16(at: offset)
        packet.dstPort = bytes.be16(at: offset + 2)
        packet.tcpSeq = bytes.be32(at: offset + 4)
        packet.tcpAck = bytes.be32(at: offset + 8)
        packet.tcpFlags = bytes.u8(at: offset + 13)
        packet.tcpWindow = bytes.be16(at: offset + 14)
        packet.hasTransport = true
        Transport.setPayload(at: offset + headerLength, claimed: claimed - headerLength, end: end, into: &packet)
    }
}
