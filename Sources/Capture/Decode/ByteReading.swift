import NetCore
import Records
/// Bounds-checked big-endian field loads over borrowed packet bytes.
///
/// A thin view over the capture buffer (libpcap's ring, the NFQUEUE receive buffer): it holds a pointer, never a
/// copy, and must not outlive the call that lent the bytes. Every load checks its bounds with a `precondition`, so
/// a decoder bug traps instead of reading past the buffer; decoders check each header's length first and throw a
/// `DecodeError` before any load can fail. Loads use `loadUnaligned(fromByteOffset:as:)` and convert from network
/// byte order; never `load(as:)` over a header (alignment, padding, byte order).
///
/// Used on the capture thread only, inside `PacketDecoder.decode`.
struct ByteReader {
    /// The borrowed bytes.
    let raw: UnsafeRawBufferPointer

    /// Wraps borrowed bytes.
    @inline(__always)
    init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

    /// Number of bytes in the buffer.
    @inline(__always)
    var count: Int { raw.count }

    /// True when `length` bytes starting at `offset` lie inside the buffer.
    @inline(__always)
    func has(_ length: Int, at offset: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= raw.count &- length
    }

    /// The byte at `offset`.
    @inline(__always)
    func u8(at offset: Int) -> UInt8 {
        precondition(has(1, at: offset), "ByteReader: u8 read at \(offset) beyond \(raw.count) bytes")
        return raw.loadUnaligned(fromByteOffset: offset, as: UInt8.self)
    }

    /// The big-endian 16-bit value at `offset`.
    @inline(__always)
    func be16(at offset: Int) -> UInt16 {
        precondition(has(2, at: offset), "ByteReader: be16 read at \(offset) beyond \(raw.count) bytes")
        return UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The big-endian 32-bit value at `offset`.
    @inline(__always)
    func be32(at offset: Int) -> UInt32 {
        precondition(has(4, at: offset), "ByteReader: be32 read at \(offset) beyond \(raw.count) bytes")
        return UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The big-endian 64-bit value at `offset`.
    @inline(__always)
    func be64(at offset: Int) -> UInt64 {
        precondition(has(8, at: offset), "ByteReader: be64 read at \(offset) beyond \(raw.count) bytes")
        return UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The 48-bit MAC address at `offset`.
    @inline(__always)
    func mac(at offset: Int) -> MACAddress {
        precondition(has(6, at: offset), "ByteReader: MAC read at \(offset) beyond \(raw.count) bytes")
        return MACAddress(bytes: raw, offset: offset)
    }

    /// The IPv4 address at `offset` (4 bytes, network order).
    @inline(__always)
    func ipv4(at offset: Int) -> IPAddress { IPAddress(ipv4: be32(at: offset)) }

    /// The IPv6 address at `offset` (16 bytes, network order).
    @inline(__always)
    func ipv6(at offset: Int) -> IPAddress { IPAddress(high: be64(at: offset), low: be64(at: offset + 8)) }
}
