/// An address range in prefix notation (`10.0.0.0/8`, `fd00::/8`); a bare address is a host range (/32, /128).
///
/// The one range type of slipsd: the whitelist, the blocking allowlist, self-protection and the blocker all use
/// it. The stored network has its host bits cleared, so `CIDR("10.1.2.3/8")` equals `CIDR("10.0.0.0/8")`. An
/// IPv4 range only contains IPv4 addresses and an IPv6 range only IPv6 ones (an IPv4-mapped IPv6 address is not
/// inside `10.0.0.0/8`).
public struct CIDR: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The first address of the range (host bits zero).
    public let network: IPAddress
    /// The prefix length in bits: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int

    /// Creates a range; nil when the prefix length does not fit the family.
    public init?(network: IPAddress, prefixLength: Int) {
        let bits = network.isIPv4 ? 32 : 128
        guard (0...bits).contains(prefixLength) else { return nil }
        self.prefixLength = prefixLength
        let (maskHigh, maskLow) = CIDR.mask(family: network.family, prefixLength: prefixLength)
        if network.isIPv4 {
            self.network = IPAddress(ipv4: network.ipv4Value & UInt32(truncatingIfNeeded: maskLow))
        } else {
            self.network = IPAddress(high: network.high & maskHigh, low: network.low & maskLow)
        }
    }

    /// The host range of one address (/32 or /128).
    public init(host: IPAddress) {
        network = host
        prefixLength = host.isIPv4 ? 32 : 128
    }

    /// Parses `address/prefix` or a bare address. Nil for a malformed address, a prefix that is not a decimal
    /// number, or a prefix too long for the family.
    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(String(parts[0])) else { return nil }
        var length = address.isIPv4 ? 32 : 128
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].count <= 3,
                  let parsed = Int(parts[1]) else { return nil }
            length = parsed
        }
        self.init(network: address, prefixLength: length)
    }

    /// True for a single-address range.
    public var isHost: Bool { prefixLength == (network.isIPv4 ? 32 : 128) }

    /// True when `address` has the same family and lies inside the range.
    public func contains(_ address: IPAddress) -> Bool {
        guard address.family == network.family else { return false }
        let (maskHigh, maskLow) = CIDR.mask(family: network.family, prefixLength: prefixLength)
        return (address.high & maskHigh) == network.high && (address.low & maskLow) == network.low
    }

    /// `network/prefixLength`.
    public var description: String { "\(network)/\(prefixLength)" }

    /// The netmask as (high, low) 64-bit words; IPv4 masks only the low 32 bits of `low` (the mapped prefix
    /// `::ffff:` is kept).
    private static func mask(family: IPAddress.Family, prefixLength: Int) -> (UInt64, UInt64) {
        switch family {
        case .ipv4:
            let m: UInt32 = prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefixLength)
            return (~0, 0xFFFF_FFFF_0000_0000 | UInt64(m))
        case .ipv6:
            let highBits = min(prefixLength, 64)
            let lowBits = max(prefixLength - 64, 0)
            let h: UInt64 = highBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - highBits)
            let l: UInt64 = lowBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - lowBits)
            return (h, l)
        }
    }
}
