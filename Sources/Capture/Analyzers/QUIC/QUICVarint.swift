/// QUIC's variable-length integers (RFC 9000 §16): the two high bits of the first byte give the length (1, 2, 4
/// or 8 bytes). Bounded: nil when the value runs past the bytes.
enum QUICVarint {
    /// The value at `offset` and the offset after it.
    @inline(__always)
    static func read(_ reader: ByteReader, at offset: Int) -> (value: UInt64, next: Int)? {
        guard reader.has(1, at: offset) else { return nil }
        let first = reader.u8(at: offset)
        let length = 1 << Int(first >> 6)
        guard reader.has(length, at: offset) else { return nil }
        var value = UInt64(first & 0x3F)
        for index in 1..<length { value = value << 8 | UInt64(reader.u8(at: offset + index)) }
        return (value, offset + length)
    }
}
