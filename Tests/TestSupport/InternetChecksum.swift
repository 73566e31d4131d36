import NetCore
import Records
import Capture

/// The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.
public enum InternetChecksum {
    /// Adds `bytes` to a running 32-bit sum (an odd last byte is padded with zero).
    @inlinable
    public static func add<C: Collection>(_ bytes: C, to sum: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        var sum = UInt64(sum)
        var iterator = bytes.makeIterator()
        while let high = iterator.next() {
            let low = iterator.next() ?? 0
            sum &+= UInt64(high) << 8 | UInt64(low)
        }
        while sum > 0xFFFF_FFFF { sum = (sum & 0xFFFF_FFFF) + (sum >> 32) }
        return UInt32(sum)
    }

    /// Folds a running sum to 16 bits and complements it: the value to store in a checksum field.
    @inlinable
    public static func finish(_ sum: UInt32) -> UInt16 {
        var folded = sum
        while folded > 0xFFFF { folded = (folded & 0xFFFF) + (folded >> 16) }
        return ~UInt16(folded)
    }

    /// The checksum of `bytes` alone (IPv4 header, ICMP).
    public static func checksum<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        finish(add(bytes))
    }

    /// The running sum of the TCP/UDP/ICMPv6 pseudo-header for `source`, `destination`, `protocolNumber` and
    /// `length` (RFC 793 for IPv4, RFC 8200 §8.1 for IPv6).
    public static func pseudoHeaderSum(source: IPAddress, destination: IPAddress, protocolNumber: UInt8,
                                       length: Int) -> UInt32 {
        var header: [UInt8] = []
        header.append(address: source)
        header.append(address: destination)
        if source.isIPv4 {
            header.append(0)
            header.append(protocolNumber)
            header.appendBE16(UInt16(truncatingIfNeeded: length))
        } else {
            header.appendBE32(UInt32(truncatingIfNeeded: length))
            header.append(contentsOf: [0, 0, 0, protocolNumber])
        }
        return add(header)
    }

    /// True when `bytes`, including their checksum field, sum to 0xFFFF (a valid checksum).
    public static func verify<C: Collection>(_ bytes: C, pseudoHeaderSum: UInt32 = 0) -> Bool
        where C.Element == UInt8 {
        finish(add(bytes, to: pseudoHeaderSum)) == 0
    }
}
