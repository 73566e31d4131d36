internal import CMnl

/// The attributes of one queued-packet message that the packet loop reads, found by one walk over the message
/// without the per-attribute callbacks of `nfq_nlmsg_parse` and without clearing an attribute table per packet.
///
/// The walk is libmnl's own (`mnl_attr_ok`, `mnl_attr_next`, `mnl_attr_get_type`: an attribute needs a 4-byte
/// header and a length that stays inside the message; trailing bytes too short for one end the walk) and checks
/// the attributes it keeps as `nfq_nlmsg_parse` does: the packet header exactly 7 bytes, the timestamp exactly 16,
/// the captured length and the skb flags exactly 4. Attributes it does not read are skipped unchecked (the kernel
/// writes these messages; only an attribute the loop uses can change what it does). Offsets are from the message
/// start; 0 means absent.
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
        guard let base = message.baseAddress, message.count > NFQueueMessages.attributesOffset else { return nil }
        let end = base + message.count
        var attribute = UnsafePointer<nlattr>(OpaquePointer(base + NFQueueMessages.attributesOffset))
        while mnl_attr_ok(attribute, Int32(end - UnsafeRawPointer(attribute))) {
            let data = UnsafeRawPointer(mnl_attr_get_payload(attribute)!) - UnsafeRawPointer(base)
            let dataLength = Int(mnl_attr_get_payload_len(attribute))
            switch mnl_attr_get_type(attribute) {
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
            attribute = UnsafePointer(mnl_attr_next(attribute)!)
        }
        return found.headerOffset == 0 ? nil : found
    }
}
