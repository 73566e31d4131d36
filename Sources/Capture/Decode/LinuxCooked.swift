import NetCore
import Records
/// Linux "cooked" capture headers (libpcap's `any` device): SLL (DLT_LINUX_SLL, 16 bytes) and SLL2
/// (DLT_LINUX_SLL2, 20 bytes).
///
/// SLL: packet type (2), ARPHRD type (2), link-layer address length (2), address (8, zero-padded),
/// protocol (2) at offset 14. SLL2: protocol (2) at offset 0, reserved (2), interface index (4), ARPHRD type (2),
/// packet type (1), address length (1) at offset 11, address (8) at offset 12. The address is the sender's, so it
/// becomes `srcMAC` when it is 6 bytes long; `dstMAC` stays zero. Runs on the capture thread.
enum LinuxCooked {
    /// Length of the SLL header in bytes.
    static let sllLength = 16
    /// Length of the SLL2 header in bytes.
    static let sll2Length = 20

    /// Decodes an SLL header and any VLAN tags after it.
    /// - Returns: the protocol (an EtherType) and the network-layer offset.
    /// - Throws: `sllTruncated`, `vlanTruncated`, `vlanTooDeep`.
    @inline(__always)
    static func decodeSLL(_ bytes: ByteReader, into packet: inout DecodedPacket) throws(DecodeError)
        -> (etherType: UInt16, offset: Int) {
        guard bytes.has(sllLength, at: 0) else { throw .sllTruncated }
        if bytes.be16(at: 4) == 6 {
            packet.srcMAC = bytes.mac(at: 6)
        }
        return try Ethernet.skipVLANTags(bytes, etherType: bytes.be16(at: 14), offset: sllLength, into: &packet)
    }

    /// Decodes an SLL2 header and any VLAN tags after it.
    /// - Returns: the protocol (an EtherType) and the network-layer offset.
    /// - Throws: `sllTruncated`, `vlanTruncated`, `vlanTooDeep`.
    @inline(__always)
    static func decodeSLL2(_ bytes: ByteReader, into packet: inout DecodedPacket) throws(DecodeError)
        -> (etherType: UInt16, offset: Int) {
        guard bytes.has(sll2Length, at: 0) else { throw .sllTruncated }
        if bytes.u8(at: 11) == 6 {
            packet.srcMAC = bytes.mac(at: 12)
        }
        return try Ethernet.skipVLANTags(bytes, etherType: bytes.be16(at: 0), offset: sll2Length, into: &packet)
    }
}
