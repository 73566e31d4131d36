/// The attributes of one queued-packet message that the packet loop reads, found by one walk over the message
/// without the per-attribute callbacks of `nfq_nlmsg_parse` and without clearing an attribute table per packet.
///
/// The walk follows libmnl's rules (an attribute needs a 4-byte header, a length ≥ 4 that stays inside the
/// message, and is followed by the next one at its length rounded up to 4; types compare without the nested and
/// byte-order flags; trailing bytes too short for an attribute end the walk) and checks the attributes it keeps as
/// `nfq_nlmsg_parse` does: the packet header exactly 7 bytes, the timestamp exactly 16, the captured length and
/// the skb flags exactly 4. Attributes it does not read are skipped unchecked (the kernel writes these messages;
/// only an attribute the loop uses can change what it does). Offsets are from the message start; 0 means absent.
struct NFQueuePacketAttributes {
    /// Offset of the 7-byte `nfqnl_msg_packet_hdr` payload (id, hw_protocol, hook).
    var headerOffset = 0
    /// Offset and length of the packet payload (`NFQA_PAYLOAD`); offset 0 when absent.
    var payloadOffset = 0
    var payloadLength = 0
    /// Offset of the 4-byte big-endian `NFQA_CAP_LEN` payload.
    var capLengthOffset = 0
    /// Offset of the 4-byte big-endian `NFQA_SKB_INFO` payload.
    var skbInfoOffset = 0
    /// Offset of the 16-byte `nfqnl_msg_packet_timestamp` payload.
    var timestampOffset = 0

    private static let packetHeader: UInt16 = 1, timestamp: UInt16 = 4, payload: UInt16 = 10
    private static let capLength: UInt16 = 13, skbInfo: UInt16 = 14

    /// Walks the attributes of `message` (one complete netlink message).
    /// - Returns: `nil` when an attribute the loop reads has the wrong size, or the packet header is missing
    ///   (the caller applies the fail verdict, as for a message `nfq_nlmsg_parse` rejects).
    @inline(__always)
    static func parse(_ message: UnsafeRawBufferPointer) -> NFQueuePacketAttributes? {
        var found = NFQueuePacketAttributes()
        var offset = NFQueueMessages.attributesOffset
        let end = message.count
        while end - offset >= 4 {
            let length = Int(message.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            guard length >= 4, length <= end - offset else { break }
            let type = message.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
            let data = offset + 4, dataLength = length - 4
            switch type {
            case packetHeader:
                guard dataLength == 7 else { return nil }
                found.headerOffset = data
            case payload:
                found.payloadOffset = data
                found.payloadLength = dataLength
            case capLength:
                guard dataLength == 4 else { return nil }
                found.capLengthOffset = data
            case skbInfo:
                guard dataLength == 4 else { return nil }
                found.skbInfoOffset = data
            case timestamp:
                guard dataLength == 16 else { return nil }
                found.timestampOffset = data
            default:
                break
            }
            offset += (length + 3) & ~3
        }
        return found.headerOffset == 0 ? nil : found
    }
}
