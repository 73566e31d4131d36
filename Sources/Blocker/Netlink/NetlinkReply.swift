import NetCore
#if canImport(Glibc)
import Glibc
#endif
internal import CMnl

/// One netlink message the kernel sent back: an ack/error (`NLMSG_ERROR`), the end of a dump (`NLMSG_DONE`), or
/// data (a dump part).
enum NetlinkReply {
    /// An `NLMSG_ERROR` message: `errno` 0 is a positive ack. `text` is the extended-ack message, if any.
    case ack(sequence: UInt32, errno: Int32, text: String?)
    /// `NLMSG_DONE`: a dump is complete (it may carry an error in its payload: `errno` non-zero).
    case done(sequence: UInt32, errno: Int32)
    /// Any other message, e.g. one part of a dump; the pointer is valid only during the callback.
    case data(UnsafePointer<nlmsghdr>)

    /// Calls `body` for every netlink message in one received datagram (`mnl_nlmsg_ok` / `mnl_nlmsg_next`).
    /// Stops early when `body` returns false.
    static func forEach(in datagram: UnsafeRawBufferPointer, _ body: (NetlinkReply) throws -> Bool) rethrows {
        guard let base = datagram.baseAddress else { return }
        var current: UnsafeMutablePointer<nlmsghdr>? =
            UnsafeMutableRawPointer(mutating: base).assumingMemoryBound(to: nlmsghdr.self)
        var remaining = Int32(datagram.count)
        while let message = current, mnl_nlmsg_ok(message, remaining) {
            let header = message.pointee
            let reply: NetlinkReply
            switch Int32(header.nlmsg_type) {
            case NLMSG_ERROR: reply = parseError(message)
            case NLMSG_DONE:
                var code: Int32 = 0
                if Int(header.nlmsg_len) >= MemoryLayout<nlmsghdr>.size + 4 {
                    code = -UnsafeRawPointer(mnl_nlmsg_get_payload(message)!).loadUnaligned(as: Int32.self)
                }
                reply = .done(sequence: header.nlmsg_seq, errno: code)
            default: reply = .data(UnsafePointer(message))
            }
            guard try body(reply) else { return }
            current = mnl_nlmsg_next(message, &remaining)
        }
    }

    /// Reads `struct nlmsgerr` and, with `NLM_F_ACK_TLVS`, the `NLMSGERR_ATTR_MSG` text that follows it.
    private static func parseError(_ message: UnsafeMutablePointer<nlmsghdr>) -> NetlinkReply {
        let total = Int(message.pointee.nlmsg_len)
        let headerSize = MemoryLayout<nlmsghdr>.size
        guard total >= headerSize + MemoryLayout<nlmsgerr>.size else {
            return .ack(sequence: message.pointee.nlmsg_seq, errno: EPROTO, text: "short netlink error message")
        }
        let payload = UnsafeRawPointer(mnl_nlmsg_get_payload(message)!)
        let code = -payload.loadUnaligned(as: Int32.self)
        let echoed = payload.loadUnaligned(fromByteOffset: 4, as: nlmsghdr.self)
        var text: String?
        if Int32(message.pointee.nlmsg_flags) & Int32(NLM_F_ACK_TLVS) != 0 {
            // With NLM_F_CAPPED only the request's header is echoed; otherwise the whole request.
            let echoedSize = Int32(message.pointee.nlmsg_flags) & Int32(NLM_F_CAPPED) != 0
                ? headerSize : (Int(echoed.nlmsg_len) + 3) & ~3
            var offset = headerSize + 4 + echoedSize
            let base = UnsafeRawPointer(message)
            while offset + 4 <= total {
                let length = Int(base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                let type = Int32(base.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)) & 0x3FFF
                guard length >= 4, offset + length <= total else { break }
                if type == Int32(NLMSGERR_ATTR_MSG.rawValue), length > 4 {
                    let bytes = UnsafeRawBufferPointer(start: base + offset + 4, count: length - 4)
                    text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                }
                offset += (length + 3) & ~3
            }
        }
        return .ack(sequence: echoed.nlmsg_seq, errno: code, text: text)
    }
}
