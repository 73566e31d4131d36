import NetCore
import Records
/// IPv6 (RFC 8200) and its extension-header chain.
///
/// Walks hop-by-hop (0), routing (43), fragment (44), destination options (60), authentication (51, length in
/// 4-byte units + 2) and mobility (135) headers, at most `maxExtensionHeaders`. A fragment header with a non-zero
/// offset marks a later fragment (no transport decoded); next header 59 means no transport at all. ESP (50) and
/// unknown protocols end the walk without a transport header. Payloads up to 65535 bytes are accepted (NFQUEUE
/// GSO); jumbograms (payload length 0 with a hop-by-hop jumbo option) are not decoded further. Runs on the
/// capture thread.
enum IPv6 {
    /// Length of the fixed header in bytes.
    static let headerLength = 40
    /// Most extension headers walked; one more is `ipv6TooManyExtensions`.
    static let maxExtensionHeaders = 8

    /// Decodes the IPv6 header at `offset`, its extension headers and its transport.
    /// - Parameters:
    ///   - wireEnd: the frame's length on the wire (≥ the captured count).
    /// - Throws: `ipv6Truncated`, `ipv6BadVersion`, `ipv6PayloadBeyondCapture`, `ipv6ExtensionTruncated`,
    ///   `ipv6TooManyExtensions`, or a transport error.
    @inline(__always)
    static func decode(_ bytes: ByteReader, at offset: Int, wireEnd: Int,
                       into packet: inout DecodedPacket) throws(DecodeError) {
        guard bytes.has(headerLength, at: offset) else { throw .ipv6Truncated }
        guard bytes.u8(at: offset) >> 4 == 6 else { throw .ipv6BadVersion }
        let totalLength = headerLength + Int(bytes.be16(at: offset + 4))
        guard totalLength <= wireEnd - offset else { throw .ipv6PayloadBeyondCapture }

        packet.network = .ipv6
        packet.networkOffset = Int32(offset)
        packet.ipLength = Int32(totalLength)
        packet.ttl = bytes.u8(at: offset + 7)
        packet.srcIP = bytes.ipv6(at: offset + 8)
        packet.dstIP = bytes.ipv6(at: offset + 24)

        let packetEnd = offset + totalLength
        // Bytes of this IP packet present in the buffer: never the Ethernet padding after it.
        let end = min(packetEnd, bytes.count)
        var next = bytes.u8(at: offset + 6)
        var position = offset + headerLength
        var walked = 0
        while true {
            let extensionLength: Int
            switch next {
            case 0, 43, 60, 135, 44, 51:
                walked += 1
                guard walked <= maxExtensionHeaders else { throw .ipv6TooManyExtensions }
                guard end - position >= 2 else { throw .ipv6ExtensionTruncated }
                let lengthField = Int(bytes.u8(at: position + 1))
                switch next {
                case 44: extensionLength = 8
                case 51: extensionLength = (lengthField + 2) &* 4
                default: extensionLength = (lengthField + 1) &* 8
                }
                guard end - position >= extensionLength else { throw .ipv6ExtensionTruncated }
            default:
                packet.ipProtocol = next
                if next == 59 {
                    Transport.setOpaquePayload(at: position, claimed: packetEnd - position, end: end,
                                               into: &packet)
                    return
                }
                if packet.isFragment {
                    // A first fragment may be too short for its transport header: still valid, for reassembly.
                    do {
                        try Transport.decode(bytes, protocol: next, at: position, claimed: packetEnd - position,
                                             end: end, into: &packet)
                    } catch {
                        guard end - position >= packetEnd - position else { throw error }
                        Transport.setOpaquePayload(at: position, claimed: packetEnd - position, end: end,
                                                   into: &packet)
                    }
                    return
                }
                try Transport.decode(bytes, protocol: next, at: position, claimed: packetEnd - position,
                                     end: end, into: &packet)
                return
            }
            let following = bytes.u8(at: position)
            if next == 44 {
                let field = bytes.be16(at: position + 2)
                let fragmentOffset = field & 0xFFF8
                let moreFragments = field & 1 != 0
                if (fragmentOffset != 0 || moreFragments) && !packet.isFragment {
                    packet.isFragment = true
                    packet.fragmentID = bytes.be32(at: position + 4)
                    packet.fragmentOffset = fragmentOffset
                    packet.moreFragments = moreFragments
                    packet.fragmentNextHeader = following
                    packet.fragmentDataOffset = Int32(position + extensionLength)
                }
                if fragmentOffset != 0 {
                    packet.isLaterFragment = true
                    packet.ipProtocol = following
                    position += extensionLength
                    Transport.setOpaquePayload(at: position, claimed: packetEnd - position, end: end,
                                               into: &packet)
                    return
                }
            }
            next = following
            position += extensionLength
        }
    }
}
