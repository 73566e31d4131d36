import NetCore
import Records
/// Walking netlink messages and attributes in a received datagram, with every length checked against the bytes
/// actually received (never trusting a header to stay inside the buffer).
enum NFQueueMessages {
    /// Size of `struct nlmsghdr`.
    static let headerSize = 16
    /// Offset of the first attribute of an nfnetlink message (nlmsghdr + nfgenmsg).
    static let attributesOffset = 20

    /// Calls `body(type, message)` for each complete netlink message in `datagram`, in order.
    /// - Returns: `false` when trailing bytes did not form a complete message (a cut or malformed datagram).
    @inline(__always) @discardableResult
    static func forEach(in datagram: UnsafeRawBufferPointer,
                        _ body: (_ type: UInt16, _ message: UnsafeRawBufferPointer) -> Void) -> Bool {
        var offset = 0
        while datagram.count - offset >= headerSize {
            let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= headerSize, length <= datagram.count - offset else { return false }
            let type = datagram.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
            body(type, UnsafeRawBufferPointer(rebasing: datagram[offset..<(offset + length)]))
            offset += (length + 3) & ~3
        }
        return offset >= datagram.count
    }

    /// The packet id of a queued-packet message, read from its `NFQA_PACKET_HDR` attribute by walking the
    /// attributes within `message` (works on a message cut short, since the kernel puts that attribute first).
    static func packetID(in message: UnsafeRawBufferPointer) -> UInt32? {
        var offset = attributesOffset
        while message.count - offset >= 4 {
            let length = Int(message.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = message.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
            guard length >= 4 else { return nil }
            if type == 1 /* NFQA_PACKET_HDR */ {
                guard length >= 4 + 7, message.count - offset >= 8 else { return nil }
                return UInt32(bigEndian: message.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            }
            offset += (length + 3) & ~3
        }
        return nil
    }
}
