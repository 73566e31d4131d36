import NetCore
import Records
import Capture

extension Array where Element == UInt8 {
    /// Appends `value` in network byte order.
    @inlinable
    public mutating func appendBE16(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends `value` in network byte order.
    @inlinable
    public mutating func appendBE32(_ value: UInt32) {
        appendBE16(UInt16(truncatingIfNeeded: value >> 16))
        appendBE16(UInt16(truncatingIfNeeded: value))
    }

    /// Appends `value` in little-endian order (pcap and pcapng headers written on a little-endian host).
    @inlinable
    public mutating func appendLE16(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }

    /// Appends `value` in little-endian order.
    @inlinable
    public mutating func appendLE32(_ value: UInt32) {
        appendLE16(UInt16(truncatingIfNeeded: value))
        appendLE16(UInt16(truncatingIfNeeded: value >> 16))
    }

    /// Appends the six bytes of `mac`.
    public mutating func append(mac: MACAddress) {
        for shift in stride(from: 40, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: mac.value >> UInt64(shift)))
        }
    }

    /// Appends the network-order bytes of `address` (4 for IPv4, 16 for IPv6).
    public mutating func append(address: IPAddress) {
        address.withNetworkBytes { append(contentsOf: $0) }
    }

    /// Overwrites two bytes at `offset` with `value` in network byte order.
    @inlinable
    public mutating func setBE16(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Overwrites four bytes at `offset` with `value` in network byte order.
    @inlinable
    public mutating func setBE32(_ value: UInt32, at offset: Int) {
        setBE16(UInt16(truncatingIfNeeded: value >> 16), at: offset)
        setBE16(UInt16(truncatingIfNeeded: value), at: offset + 2)
    }

    /// Reads the network-order 16-bit value at `offset`.
    @inlinable
    public func readBE16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    /// Reads the network-order 32-bit value at `offset`.
    @inlinable
    public func readBE32(at offset: Int) -> UInt32 {
        UInt32(readBE16(at: offset)) << 16 | UInt32(readBE16(at: offset + 2))
    }
}
