import NetCore
import Records
/// Ethernet II framing, with stacked 802.1Q / 802.1ad VLAN tags.
///
/// Layout: destination MAC (6), source MAC (6), EtherType (2); each VLAN tag adds a TPID (the EtherType slot:
/// 0x8100, 0x88a8 or 0x9100) followed by the TCI (priority 3 bits, DEI 1 bit, VLAN id 12 bits) and the next
/// EtherType. Runs on the capture thread inside `PacketDecoder.decode`.
enum Ethernet {
    /// Length of the untagged header in bytes.
    static let headerLength = 14
    /// Length of one VLAN tag (TCI and the following EtherType) in bytes.
    static let tagLength = 4
    /// Most VLAN tags accepted; one more is `vlanTooDeep`.
    static let maxVLANTags = 4

    /// EtherTypes of the network layers slipsd decodes.
    static let etherTypeIPv4: UInt16 = 0x0800
    static let etherTypeARP: UInt16 = 0x0806
    static let etherTypeIPv6: UInt16 = 0x86DD

    /// Decodes the Ethernet header and any VLAN tags.
    /// - Returns: the EtherType of the network layer and its offset.
    /// - Throws: `ethernetTruncated`, `vlanTruncated`, `vlanTooDeep`.
    @inline(__always)
    static func decode(_ bytes: ByteReader, into packet: inout DecodedPacket) throws(DecodeError)
        -> (etherType: UInt16, offset: Int) {
        guard bytes.has(headerLength, at: 0) else { throw .ethernetTruncated }
        packet.dstMAC = bytes.mac(at: 0)
        packet.srcMAC = bytes.mac(at: 6)
        return try skipVLANTags(bytes, etherType: bytes.be16(at: 12), offset: headerLength, into: &packet)
    }

    /// True for the tag protocol identifiers of 802.1Q (0x8100), 802.1ad (0x88a8) and the old QinQ 0x9100.
    @inline(__always)
    static func isVLANTag(_ etherType: UInt16) -> Bool {
        etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100
    }

    /// Walks stacked VLAN tags that start at `offset` when `etherType` is a tag protocol identifier. The first
    /// tag's id goes to `outerVLAN`, the second's to `innerVLAN`; deeper tags are skipped (at most
    /// `maxVLANTags` in all). Shared by Ethernet and Linux cooked captures (libpcap re-inserts stripped tags).
    /// - Returns: the EtherType after the tags and the offset where the network header starts.
    /// - Throws: `vlanTruncated` when a tag is cut, `vlanTooDeep` past `maxVLANTags` tags.
    @inline(__always)
    static func skipVLANTags(_ bytes: ByteReader, etherType: UInt16, offset: Int,
                             into packet: inout DecodedPacket) throws(DecodeError)
        -> (etherType: UInt16, offset: Int) {
        var type = etherType
        var position = offset
        var depth = 0
        while isVLANTag(type) {
            guard depth < maxVLANTags else { throw .vlanTooDeep }
            guard bytes.has(tagLength, at: position) else { throw .vlanTruncated }
            let vlanID = bytes.be16(at: position) & 0x0FFF
            if depth == 0 {
                packet.outerVLAN = vlanID
            } else if depth == 1 {
                packet.innerVLAN = vlanID
            }
            type = bytes.be16(at: position + 2)
            position += tagLength
            depth += 1
        }
        return (type, position)
    }
}
