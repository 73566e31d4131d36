#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 host address as the blocker sees it: a small value type, independent of Capture's
/// `IPAddress` so that the Blocker module depends on nothing but libnftnl and libmnl.
///
/// IPv4 addresses go to the `blocked4` set (4-byte keys), IPv6 to `blocked6` (16-byte keys). An IPv4-mapped
/// IPv6 address (`::ffff:a.b.c.d`) is normalised to IPv4 when parsed, because that is how the packet appears
/// on the wire of an IPv4 gateway.
public struct BlockAddress: Hashable, Sendable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    /// The address family, which selects the nftables set.
    public enum Family: String, Sendable, Hashable {
        /// IPv4: 4-byte key, nftables type `ipv4_addr` (7).
        case ipv4
        /// IPv6: 16-byte key, nftables type `ipv6_addr` (8).
        case ipv6
    }

    /// The family of this address.
    public let family: Family
    /// High 64 bits of an IPv6 address in host order; 0 for IPv4.
    public let high: UInt64
    /// Low 64 bits of an IPv6 address in host order; for IPv4 the 32-bit value (host order) in the low bits.
    public let low: UInt64

    /// Creates an IPv4 address from its 32-bit value in host order (`0x0A000001` is 10.0.0.1).
    public init(ipv4 value: UInt32) {
        family = .ipv4
        high = 0
        low = UInt64(value)
    }

    /// Creates an IPv6 address from its two 64-bit halves in host order.
    public init(ipv6High high: UInt64, low: UInt64) {
        family = .ipv6
        self.high = high
        self.low = low
    }

    /// Creates an address from 4 (IPv4) or 16 (IPv6) bytes in network order; nil for any other length.
    public init?(networkBytes bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        switch array.count {
        case 4:
            self.init(ipv4: array.reduce(0) { ($0 << 8) | UInt32($1) })
        case 16:
            let h = array[0..<8].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            let l = array[8..<16].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            self.init(ipv6High: h, low: l)
        default:
            return nil
        }
    }

    /// Parses dotted-quad IPv4 or textual IPv6 (with `inet_pton`); an IPv6 zone suffix (`%eth0`) is ignored and
    /// IPv4-mapped IPv6 becomes IPv4. Returns nil for anything else (including CIDR notation).
    public init?(_ text: String) {
        var string = text.trimmingWhitespace()
        if let percent = string.firstIndex(of: "%") { string = String(string[..<percent]) }
        if string.contains(":") {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, string, &v6) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            guard let parsed = BlockAddress(networkBytes: bytes) else { return nil }
            if parsed.high == 0, (parsed.low >> 32) == 0x0000_FFFF {
                self = BlockAddress(ipv4: UInt32(truncatingIfNeeded: parsed.low))
            } else {
                self = parsed
            }
        } else {
            var v4 = in_addr()
            guard inet_pton(AF_INET, string, &v4) == 1 else { return nil }
            self.init(ipv4: UInt32(bigEndian: v4.s_addr))
        }
    }

    /// True for IPv4.
    public var isIPv4: Bool { family == .ipv4 }

    /// The IPv4 value in host order; meaningful only when `isIPv4`.
    public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6 (the nftables set key).
    public var networkBytes: [UInt8] {
        switch family {
        case .ipv4:
            let v = ipv4Value
            return [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8),
                    UInt8(truncatingIfNeeded: v)]
        case .ipv6:
            let pair = (high.bigEndian, low.bigEndian)
            return withUnsafeBytes(of: pair) { Array($0) }
        }
    }

    /// Canonical text: dotted quad or RFC 5952 IPv6 (`inet_ntop`).
    public var description: String {
        var bytes = networkBytes
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let af = isIPv4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeMutableBytes { inet_ntop(af, $0.baseAddress, &text, socklen_t(text.count)) } != nil
        guard ok else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Orders IPv4 before IPv6, then numerically.
    public static func < (a: BlockAddress, b: BlockAddress) -> Bool {
        if a.family != b.family { return a.family == .ipv4 }
        return (a.high, a.low) < (b.high, b.low)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (Foundation-free).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
