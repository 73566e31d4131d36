/// An address range in prefix notation (`10.0.0.0/8`, `fd00::/8`); a bare address is a host range (/32, /128).
///
/// The stored network has its host bits cleared, so `CIDR("10.1.2.3/8")` equals `CIDR("10.0.0.0/8")`.
public struct CIDR: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The first address of the range (host bits zero).
    public let network: BlockAddress
    /// The prefix length in bits: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int

    /// Creates a range; nil when the prefix length does not fit the family.
    public init?(network: BlockAddress, prefixLength: Int) {
        let bits = network.isIPv4 ? 32 : 128
        guard (0...bits).contains(prefixLength) else { return nil }
        self.prefixLength = prefixLength
        let (maskHigh, maskLow) = CIDR.mask(family: network.family, prefixLength: prefixLength)
        if network.isIPv4 {
            self.network = BlockAddress(ipv4: network.ipv4Value & UInt32(truncatingIfNeeded: maskLow))
        } else {
            self.network = BlockAddress(ipv6High: network.high & maskHigh, low: network.low & maskLow)
        }
    }

    /// Parses `address/prefix` or a bare address. Returns nil for a malformed address, a prefix that is not a
    /// decimal number, or a prefix too long for the family.
    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = BlockAddress(String(parts[0])) else { return nil }
        var length = address.isIPv4 ? 32 : 128
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].count <= 3,
                  let parsed = Int(parts[1]) else { return nil }
            length = parsed
            // `::ffff:10.0.0.0/104` was normalised to IPv4: shift the prefix to match.
            if address.isIPv4, trimmed.contains(":") { length -= 96 }
        }
        self.init(network: address, prefixLength: length)
    }

    /// True when `address` has the same family and lies inside the range.
    public func contains(_ address: BlockAddress) -> Bool {
        guard address.family == network.family else { return false }
        let (maskHigh, maskLow) = CIDR.mask(family: network.family, prefixLength: prefixLength)
        return (address.high & maskHigh) == network.high && (address.low & maskLow) == network.low
    }

    /// `network/prefixLength`.
    public var description: String { "\(network)/\(prefixLength)" }

    /// The netmask as (high, low) 64-bit words; IPv4 uses the low 32 bits of `low`.
    private static func mask(family: BlockAddress.Family, prefixLength: Int) -> (UInt64, UInt64) {
        switch family {
        case .ipv4:
            let m: UInt32 = prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefixLength)
            return (0, UInt64(m))
        case .ipv6:
            let highBits = min(prefixLength, 64)
            let lowBits = max(prefixLength - 64, 0)
            let h: UInt64 = highBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - highBits)
            let l: UInt64 = lowBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - lowBits)
            return (h, l)
        }
    }
}
