/// Walks the frames of a decrypted Initial packet (RFC 9000 §12.4: only PADDING, PING, ACK, CRYPTO and
/// CONNECTION_CLOSE may appear) and hands each CRYPTO frame's offset and data to `crypto`. Bounded: every
/// length is checked, ACK ranges are capped, an unknown frame type ends the walk with a malformation.
enum QUICFrames {
    /// Most ACK ranges read from one frame.
    static let maxAckRanges = 256

    static func forEachCrypto(_ payload: UnsafeRawBufferPointer,
                              _ crypto: (UInt64, UnsafeRawBufferPointer) throws(QUICMalformation) -> Void)
        throws(QUICMalformation) {
        let reader = ByteReader(payload)
        var cursor = 0
        while cursor < payload.count {
            let type = reader.u8(at: cursor)
            switch type {
            case 0x00, 0x01:
                cursor += 1
            case 0x02, 0x03:
                var next = cursor + 1
                var fields: [UInt64] = []
                for _ in 0..<4 {
                    guard let field = QUICVarint.read(reader, at: next) else { throw .frameInvalid }
                    fields.append(field.value)
                    next = field.next
                }
                guard fields[2] <= UInt64(maxAckRanges) else { throw .frameInvalid }
                let extra = Int(fields[2]) * 2 + (type == 0x03 ? 3 : 0)
                for _ in 0..<extra {
                    guard let field = QUICVarint.read(reader, at: next) else { throw .frameInvalid }
                    next = field.next
                }
                cursor = next
            case 0x06:
                guard let offset = QUICVarint.read(reader, at: cursor + 1),
                      let length = QUICVarint.read(reader, at: offset.next),
                      length.value <= UInt64(payload.count), reader.has(Int(length.value), at: length.next) else {
                    throw .frameInvalid
                }
                try crypto(offset.value, UnsafeRawBufferPointer(rebasing: payload[length.next..<(length.next + Int(length.value))]))
                cursor = length.next + Int(length.value)
            case 0x1C, 0x1D:
                return                                                        // CONNECTION_CLOSE ends the packet's use
            default:
                throw .frameInvalid
            }
        }
    }
}
