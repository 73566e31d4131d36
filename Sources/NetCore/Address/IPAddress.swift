#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address held by value, with its family: trivially copyable, no allocation.
///
/// The 128 address bits of an IPv4 address are kept in the IPv4-mapped form (`::ffff:a.b.c.d`) so that range
/// checks read one layout, but the family is stored beside them: the IPv4 host `10.0.0.1` and an IPv6 packet's
/// source `::ffff:10.0.0.1` are different addresses (different flow keys, profiles, nftables sets). A forged
/// IPv6 packet can therefore never speak for an IPv4 host.
public struct IPAddress: Hashable, Sendable, BitwiseCopyable, Comparable, CustomStringConvertible,
                         LosslessStringConvertible {
    /// The address family: which header the address came from, which nftables set holds it.
    public enum Family: UInt8, Sendable, BitwiseCopyable, Hashable, Codable {
        /// IPv4: 4-byte key, nftables type `ipv4_addr` (7).
        case ipv4 = 4
        /// IPv6: 16-byte key, nftables type `ipv6_addr` (8).
        case ipv6 = 6
    }

    /// The high 64 bits of the 128-bit address, in host order (0 for IPv4).
    public let high: UInt64
    /// The low 64 bits of the 128-bit address, in host order (`0x0000_FFFF_xxxx_xxxx` for IPv4).
    public let low: UInt64
    /// The family the address belongs to.
    public let family: Family

    /// Creates an IPv6 address from its two 64-bit halves (host order). An IPv4-mapped value stays IPv6.
    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        self.family = .ipv6
    }

    /// Creates an IPv4 address from its 32-bit value in host order (`0xC0A80001` is 192.168.0.1).
    @inlinable
    public init(ipv4 value: UInt32) {
        self.high = 0
        self.low = 0x0000_FFFF_0000_0000 | UInt64(value)
        self.family = .ipv4
    }

    /// Creates an address of `family` from 128 bits (IPv4: the mapped form; only the low 32 bits are used).
    @inlinable
    public init(family: Family, high: UInt64, low: UInt64) {
        switch family {
        case .ipv4: self.init(ipv4: UInt32(truncatingIfNeeded: low))
        case .ipv6: self.init(high: high, low: low)
        }
    }

    /// True for an address of the IPv4 family.
    @inlinable @inline(__always)
    public var isIPv4: Bool { family == .ipv4 }

    /// Same family and same bits.
    @inlinable @inline(__always)
    public static func == (a: IPAddress, b: IPAddress) -> Bool {
        a.low == b.low && a.high == b.high && a.family == b.family
    }

    /// Hashes the bits and the family.
    @inlinable @inline(__always)
    public func hash(into hasher: inout Hasher) {
        hasher.combine(high)
        hasher.combine(low)
        hasher.combine(family.rawValue)
    }

    /// The IPv4 value in host order; meaningful only when `isIPv4`.
    @inlinable
    public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// True for an IPv6 address of the IPv4-mapped range `::ffff:0:0/96` (never for an IPv4 address).
    @inlinable
    public var isIPv4MappedIPv6: Bool { family == .ipv6 && high == 0 && (low >> 32) == 0x0000_FFFF }

    /// The unspecified IPv4 address.
    public static let zeroIPv4 = IPAddress(ipv4: 0)

    /// Parses dotted-quad IPv4 or textual IPv6 (`inet_pton`); an IPv6 zone suffix (`%eth0`) is ignored and
    /// surrounding white space is trimmed. IPv6 text stays IPv6, IPv4-mapped or not. Nil for anything else,
    /// including CIDR notation.
    public init?(_ text: String) {
        switch Self.scanDottedQuad(text.utf8) {
        case .address(let value):
            self.init(ipv4: value)
            return
        case .notAnAddress:
            return nil
        case .needsFullParse:
            break
        }
        var string = text.trimmingWhitespace()
        if let percent = string.firstIndex(of: "%") { string = String(string[..<percent]) }
        if string.contains(":") {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, string, &v6) == 1 else { return nil }
            self = withUnsafeBytes(of: &v6) { IPAddress(ipv6Bytes: $0) }
        } else {
            var v4 = in_addr()
            guard inet_pton(AF_INET, string, &v4) == 1 else { return nil }
            self.init(ipv4: UInt32(bigEndian: v4.s_addr))
        }
    }

    /// Parses a substring; see `init(_:)`.
    public init?(_ text: Substring) { self.init(String(text)) }

    /// Creates an IPv6 address from 16 bytes in network order. A shorter buffer gives `::` (callers check lengths
    /// first; nothing traps on a short buffer).
    public init(ipv6Bytes bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 16 else {
            self.init(high: 0, low: 0)
            return
        }
        self.init(high: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                  low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// Creates an address from 4 (IPv4) or 16 (IPv6) bytes in network order; nil for any other length.
    public init?(networkBytes bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4:
            self.init(ipv4: bytes.reduce(0) { ($0 << 8) | UInt32($1) })
        case 16:
            let h = bytes.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            let l = bytes.dropFirst(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            self.init(high: h, low: l)
        default:
            return nil
        }
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

    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6 (an nftables set key).
    public var networkBytes: [UInt8] { withNetworkBytes { Array($0) } }

    /// RFC 1918, RFC 4193 (fc00::/7), link-local, loopback and carrier-grade NAT ranges: what Slips calls private.
    @inlinable
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
    @inlinable
    public var isMulticastOrBroadcast: Bool {
        if isIPv4 {
            let v = ipv4Value
            return v == 0xFFFF_FFFF || (v >> 28) == 0xE
        }
        return (high >> 56) == 0xFF
    }

    /// Loopback: 127.0.0.0/8 or ::1.
    public var isLoopback: Bool { isIPv4 ? (ipv4Value >> 24) == 127 : (high == 0 && low == 1) }

    /// Orders IPv4 before IPv6, then numerically.
    @inlinable
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.family != rhs.family { return lhs.family == .ipv4 }
        return (lhs.high, lhs.low) < (rhs.high, rhs.low)
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

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (Foundation-free).
    package func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
