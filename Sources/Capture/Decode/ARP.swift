import NetCore
import Records
/// ARP for Ethernet and IPv4 (RFC 826): hardware type 1, protocol type 0x0800, address lengths 6 and 4.
///
/// Layout: htype (2), ptype (2), hlen (1), plen (1), operation (2), sender MAC (6), sender IP (4),
/// target MAC (6), target IP (4): 28 bytes. Runs on the capture thread.
enum ARP {
    /// Length of an Ethernet/IPv4 ARP message in bytes.
    static let messageLength = 28

    /// Decodes the ARP message at `offset`. Sender and target protocol addresses go to `srcIP`/`dstIP`,
    /// hardware addresses to `arpSenderMAC`/`arpTargetMAC`.
    /// - Throws: `arpTruncated` (fewer than 8 bytes to read the types, or fewer than 28), `arpUnsupported`
    ///   (anything but Ethernet/IPv4).
    @inline(__always)
    static func decode(_ bytes: ByteReader, at offset: Int, into packet: inout DecodedPacket) throws(DecodeError) {
        guard bytes.has(8, at: offset) else { throw .arpTruncated }
        guard bytes.be16(at: offset) == 1, bytes.be16(at: offset + 2) == Ethernet.etherTypeIPv4,
              bytes.u8(at: offset + 4) == 6, bytes.u8(at: offset + 5) == 4 else { throw .arpUnsupported }
        guard bytes.has(messageLength, at: offset) else { throw .arpTruncated }
        packet.network = .arp
        packet.networkOffset = Int32(offset)
        packet.arpOperation = bytes.be16(at: offset + 6)
        packet.arpSenderMAC = bytes.mac(at: offset + 8)
        packet.srcIP = bytes.ipv4(at: offset + 14)
        packet.arpTargetMAC = bytes.mac(at: offset + 18)
        packet.dstIP = bytes.ipv4(at: offset + 24)
    }
}
