/// A 48-bit Ethernet address packed in the low bits of a `UInt64` (network order: first byte highest).
public struct MACAddress: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The 48 address bits; the top 16 bits are zero.
    public var value: UInt64

    /// Creates an address from its packed 48-bit value.
    @inlinable
    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    /// Reads six bytes at `offset` of `bytes`; the caller has checked the bounds.
    @inlinable @inline(__always)
    public init(bytes: UnsafeRawBufferPointer, offset: Int) {
        let hi = UInt64(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        let lo = UInt64(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt32.self)))
        self.value = (hi << 32) | lo
    }

    /// The all-zero address, used when a link type carries no MAC.
    public static let zero = MACAddress(0)
    /// ff:ff:ff:ff:ff:ff.
    public static let broadcast = MACAddress(0xFFFF_FFFF_FFFF)

    /// Lower-case colon-separated hex, e.g. `00:11:22:aa:bb:cc`.
    public var description: String {
        let hex: [Character] = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(17)
        for i in (0..<6).reversed() {
            let byte = Int((value >> (UInt64(i) * 8)) & 0xFF)
            text.append(hex[byte >> 4])
            text.append(hex[byte & 0xF])
            if i > 0 { text.append(":") }
        }
        return text
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (or with `-`), case-insensitive.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var v: UInt64 = 0
        for part in parts {
            guard part.count <= 2, let byte = UInt8(part, radix: 16) else { return nil }
            v = (v << 8) | UInt64(byte)
        }
        self.value = v
    }
}
