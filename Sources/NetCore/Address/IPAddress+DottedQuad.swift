extension IPAddress {
    /// What one pass over a text's bytes can tell before the general parser (trimming, zone suffix, `inet_pton`).
    @usableFromInline
    enum DottedQuadScan: Equatable {
        /// Only digits and dots, forming an IPv4 address as `inet_pton` accepts it.
        case address(UInt32)
        /// Cannot be an address: only digits and dots but malformed, or letters and no `:` or `%` to make it IPv6.
        case notAnAddress
        /// White space, `:` or `%`: the general parser decides.
        case needsFullParse
    }

    /// Classifies `bytes` without allocating. Digits-and-dots text follows glibc's `inet_pton(AF_INET)` exactly:
    /// four decimal octets of at most 255, no leading zero, no empty octet. This is the path evidence values,
    /// whitelist lookups and flow files take for every IPv4 address, so it must not build strings.
    @usableFromInline
    static func scanDottedQuad(_ bytes: String.UTF8View) -> DottedQuadScan {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var octets = 0
        var digitsInOctet = 0
        var malformed = false
        var onlyDigitsAndDots = true
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digitsInOctet == 1 && octet == 0 { malformed = true }
                octet = octet &* 10 &+ UInt32(byte &- UInt8(ascii: "0"))
                digitsInOctet += 1
                if octet > 255 || digitsInOctet > 3 { malformed = true }
                if digitsInOctet == 1 { octets += 1 }
            case UInt8(ascii: "."):
                if digitsInOctet == 0 || octets == 4 { malformed = true }
                value = value << 8 | (octet & 0xFF)
                octet = 0
                digitsInOctet = 0
            case UInt8(ascii: ":"), UInt8(ascii: "%"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"),
                 UInt8(ascii: "\r"), 0x0B, 0x0C:
                return .needsFullParse
            default:
                if byte >= 0x80 { return .needsFullParse }
                onlyDigitsAndDots = false
            }
        }
        if !onlyDigitsAndDots { return .notAnAddress }
        if malformed || octets != 4 || digitsInOctet == 0 { return .notAnAddress }
        return .address(value << 8 | octet)
    }
}
