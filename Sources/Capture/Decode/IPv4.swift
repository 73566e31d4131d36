import NetCore
import Records
/// IPv4 (RFC 791), with options and fragments.
///
/// Validation order: captured ≥ 20, version 4, IHL×4 ≥ 20, IHL×4 ≤ captured, total length ≥ IHL×4, total length
/// ≤ the bytes that were on the wire after the network offset. A packet cut by the snaplen is legal (wire length
/// larger than captured); Ethernet padding after the IP packet is never counted (the IP total length bounds the
/// payload). Checksums are not verified: NFQUEUE with GSO hands over packets whose checksums are not filled in
/// yet, up to 65535 bytes. Runs on the capture thread.
enum IPv4 {
    /// Smallest header (no options) in bytes.
    static let minimumHeaderLength = 20

    /// Decodes the IPv4 header at `offset` and its transport.
    /// - Parameters:
    ///   - wireEnd: the frame's length on the wire (≥ the captured count).
    /// - Throws: `ipv4Truncated`, `ipv4BadVersion`, `ipv4HeaderTooShort`, `ipv4TotalLengthTooShort`,
    ///   `ipv4TotalLengthBeyondCapture`, or a transport error.
    @inline(__always)
    static func decode(_ bytes: ByteReader, at offset: Int, wireEnd: Int,
                       into packet: inout DecodedPacket) throws(DecodeError) {
        guard bytes.has(minimumHeaderLength, at: offset) else { throw .ipv4Truncated }
        let versionAndLength = bytes.u8(at: offset)
        guard versionAndLength >> 4 == 4 else { throw .ipv4BadVersion }
        let headerLength = Int(versionAndLength & 0x0F) &* 4
        guard headerLength >= minimumHeaderLength else { throw .ipv4HeaderTooShort }
        guard bytes.has(headerLength, at: offset) else { throw .ipv4Truncated }
        let totalLength = Int(bytes.be16(at: offset + 2))
        guard totalLength >= headerLength else { throw .ipv4TotalLengthTooShort }
        guard totalLength <= wireEnd - offset else { throw .ipv4TotalLengthBeyondCapture }

        packet.network = .ipv4
        packet.networkOffset = Int32(offset)
        packet.ipLength = Int32(totalLength)
        packet.ttl = bytes.u8(at: offset + 8)
        let proto = bytes.u8(at: offset + 9)
        packet.ipProtocol = proto
        packet.srcIP = bytes.ipv4(at: offset + 12)
        packet.dstIP = bytes.ipv4(at: offset + 16)

        let fragmentField = bytes.be16(at: offset + 6)
        let moreFragments = fragmentField & 0x2000 != 0
        let fragmentOffset = fragmentField & 0x1FFF
        packet.isFragment = moreFragments || fragmentOffset != 0

        let transportOffset = offset + headerLength
        let claimed = totalLength - headerLength
        // Bytes of this IP packet present in the buffer: never the Ethernet padding after it.
        let end = min(offset + totalLength, bytes.count)
        if packet.isFragment {
            packet.fragmentID = UInt32(bytes.be16(at: offset + 4))
            packet.fragmentOffset = fragmentOffset &<< 3
            packet.moreFragments = moreFragments
            packet.fragmentNextHeader = proto
            packet.fragmentDataOffset = Int32(transportOffset)
            if fragmentOffset != 0 {
                packet.isLaterFragment = true
                Transport.setOpaquePayload(at: transportOffset, claimed: claimed, end: end, into: &packet)
                return
            }
            // A first fragment may be too short for its transport header (an 8-byte TCP fragment): it is still a
            // valid fragment, for reassembly. One cut by the capture length is not.
            do {
                try Transport.decode(bytes, protocol: proto, at: transportOffset, claimed: claimed, end: end,
                                     into: &packet)
            } catch {
                guard end - transportOffset >= claimed else { throw error }
                Transport.setOpaquePayload(at: transportOffset, claimed: claimed, end: end, into: &packet)
            }
            return
        }
        try Transport.decode(bytes, protocol: proto, at: transportOffset, claimed: claimed, end: end,
                             into: &packet)
    }
}
