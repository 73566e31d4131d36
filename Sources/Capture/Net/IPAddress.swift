#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address held by value: 16 bytes, trivially copyable, no allocation.
///
/// IPv4 addresses are stored IPv4-mapped (`::ffff:a.b.c.d`) so that one representation serves flow keys of
/// both families; `isIPv4` tells them apart.
public struct IPAddress: Hashable, Sendable, BitwiseCopyable, Comparable, CustomStringConvertible {
    /// The high 64 bits of the 128-bit address, in host order.
    public var high: UInt64
    /// The low 64 bits of the 128-bit address, in host order.
    public var low: UInt64

    /// Creates an address from its two 64-bit halves (host order).
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Creates an IPv4 address from its 32-bit value in host order (`0xC0A80001` is 192.168.0.1).
    public init(ipv4 value: UInt32) {
        self.high = 0
        self.low = 0x0000_FFFF_0000_0000 | UInt64(value)
    }

    /// True for an IPv4 (IPv4-mapped) address.
    public var isIPv4: Bool { high == 0 && (low >> 32) == 0x0000_FFFF }

    /// The IPv4 value in host order; meaningful only when `isIPv4`.
    public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// The unspecified address of each family.
    public static let zeroIPv4 = IPAddress(ipv4: 0)

    /// Parses dotted-quad IPv4 or textual IPv6 (`inet_pton`). Returns nil for anything else.
    public init?(_ text: some StringProtocol) {
        var v4 = in_addr()
        var v6 = in6_addr()
        let string = String(text)
        if string.contains(":") {
            guard inet_pton(AF_INET6, string, &v6) == 1 else { return nil }
            self = withUnsafeBytes(of: &v6) { IPAddress(ipv6Bytes: $0) }
        } else {
            guard inet_pton(AF_INET, string, &v4) == 1 else { return nil }
            self.init(ipv4: UInt32(bigEndian: v4.s_addr))
        }
    }

    /// Creates an IPv6 address from 16 bytes in network order. The buffer must hold at least 16 bytes.
    public init(ipv6Bytes bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 16)
        self.high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        self.low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// Calls `body` with the address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public func withNetworkBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if isIPv4 {
            var v = ipv4Value.bigEndian
            return try withUnsafeBytes(of: &v, body)
        }
        var pair = (high.bigEndian, low.bigEndian)
        return try withUnsafeBytes(of: &pair, body)
    }

    /// RFC 1918, RFC 4193 (fc00::/7), link-local, loopback and carrier-grade NAT ranges: what Slips calls private.
    public var isPrivate: Bool {
        if isIPv4 {
            let v = ipv4Value
            return (v >> 24) == 10                       // 10.0.0.0/8
                || (v >> 20) == 0xAC1                    // 172.16.0.0/12
                || (v >> 16) == 0xC0A8                   // 192.168.0.0/16
                || (v >> 16) == 0xA9FE                   // 169.254.0.0/16
                || (v >> 24) == 127                      // 127.0.0.0/8
                || (v >> 22) == (0x6440_0000 >> 22)      // 100.64.0.0/10
        }
        let top16 = high >> 48
        return (top16 & 0xFE00) == 0xFC00                // fc00::/7
            || (top16 & 0xFFC0) == 0xFE80                // fe80::/10
            || (high == 0 && low == 1)                   // ::1
    }

    /// Broadcast (IPv4 255.255.255.255), multicast (224.0.0.0/4, ff00::/8).
    public var isMulticastOrBroadcast: Bool {
        if isIPv4 {
            let v = ipv4Value
            return v == 0xFFFF_FFFF || (v >> 28) == 0xE
        }
        return (high >> 56) == 0xFF
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Dotted quad for IPv4, RFC 5952 text (`inet_ntop`) for IPv6.
    public var description: String {
        if isIPv4 {
            let v = ipv4Value
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
        }
        var buffer = [CChar](repeating: 0, count: 64)
        var pair = (high.bigEndian, low.bigEndian)
        _ = withUnsafeBytes(of: &pair) { raw in
            inet_ntop(AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
