import NetCore
import Records
import Capture

/// IP-layer settings for the packet builder; every field has a sensible default.
public struct IPFields: Sendable, Hashable {
    /// IPv4 TTL or IPv6 hop limit.
    public var ttl: UInt8
    /// IPv4 identification (also used as the IPv6 fragment identification by the fragment helpers).
    public var identification: UInt16
    /// IPv4 type of service / IPv6 traffic class.
    public var tos: UInt8
    /// IPv4 don't-fragment flag.
    public var dontFragment: Bool
    /// IPv4 more-fragments flag.
    public var moreFragments: Bool
    /// IPv4 fragment offset in bytes (a multiple of 8).
    public var fragmentOffset: Int
    /// IPv4 options, padded with zeros (end of options) to a multiple of four bytes; at most 40 bytes.
    public var ipv4Options: [UInt8]
    /// IPv6 extension headers in order, between the fixed header and the transport.
    public var ipv6Extensions: [IPv6Extension]
    /// IPv6 flow label (20 bits).
    public var flowLabel: UInt32

    /// Creates IP settings; the defaults give TTL 64, id 0x1234, DF set, no options.
    public init(ttl: UInt8 = 64, identification: UInt16 = 0x1234, tos: UInt8 = 0, dontFragment: Bool = true,
                moreFragments: Bool = false, fragmentOffset: Int = 0, ipv4Options: [UInt8] = [],
                ipv6Extensions: [IPv6Extension] = [], flowLabel: UInt32 = 0) {
        self.ttl = ttl
        self.identification = identification
        self.tos = tos
        self.dontFragment = dontFragment
        self.moreFragments = moreFragments
        self.fragmentOffset = fragmentOffset
        self.ipv4Options = ipv4Options
        self.ipv6Extensions = ipv6Extensions
        self.flowLabel = flowLabel
    }

    /// Router alert (RFC 2113), 4 bytes: a common IPv4 option.
    public static let routerAlertOption: [UInt8] = [0x94, 0x04, 0x00, 0x00]

    /// A record-route option (type 7) with room for `slots` addresses: 3 + 4×slots bytes.
    public static func recordRouteOption(slots: Int) -> [UInt8] {
        [7, UInt8(3 + 4 * slots), 4] + [UInt8](repeating: 0, count: 4 * slots)
    }
}

/// An IPv6 extension header for the packet builder. The builder links the next-header values.
public enum IPv6Extension: Sendable, Hashable {
    /// Hop-by-hop options (0) with `padding` bytes of PadN options; the header is 2 + padding bytes, rounded up
    /// to a multiple of 8 (the default gives 8 bytes).
    case hopByHop(padding: Int = 6)
    /// Destination options (60), as hop-by-hop.
    case destinationOptions(padding: Int = 6)
    /// Routing header (43) of type 0 with segments left 0 and `addresses` 16-byte addresses (8 + 16×n bytes).
    case routing(addresses: Int = 1)
    /// Fragment header (44): offset in bytes (a multiple of 8), more-fragments flag, identification.
    case fragment(offset: Int, moreFragments: Bool, identification: UInt32)
    /// Authentication header (51) with an integrity check value of `icvLength` bytes (12 + icvLength bytes; the
    /// length field counts 4-byte units minus 2).
    case authentication(icvLength: Int = 12)
    /// Mobility header (135) with `dataLength` bytes after the two first bytes, rounded up to a multiple of 8.
    case mobility(dataLength: Int = 6)

    /// The protocol number that announces this header.
    public var protocolNumber: UInt8 {
        switch self {
        case .hopByHop: 0
        case .destinationOptions: 60
        case .routing: 43
        case .fragment: 44
        case .authentication: 51
        case .mobility: 135
        }
    }

    /// The header's bytes, with `next` as its next-header value.
    public func encode(next: UInt8) -> [UInt8] {
        switch self {
        case .hopByHop(let padding), .destinationOptions(let padding):
            let length = Self.roundUp8(2 + padding)
            var out: [UInt8] = [next, UInt8(length / 8 - 1)]
            out.append(contentsOf: Self.padN(length - 2))
            return out
        case .routing(let addresses):
            var out: [UInt8] = [next, UInt8(2 * addresses), 0, 0, 0, 0, 0, 0]
            for index in 0..<addresses {
                out.append(contentsOf: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [UInt8(index + 1)])
            }
            return out
        case .fragment(let offset, let more, let identification):
            var out: [UInt8] = [next, 0]
            out.appendBE16(UInt16(truncatingIfNeeded: offset) & 0xFFF8 | (more ? 1 : 0))
            out.appendBE32(identification)
            return out
        case .authentication(let icvLength):
            let length = 12 + icvLength
            var out: [UInt8] = [next, UInt8(length / 4 - 2), 0, 0]
            out.appendBE32(0x0000_1000) // SPI
            out.appendBE32(1)           // sequence number
            out.append(contentsOf: [UInt8](repeating: 0xA5, count: icvLength))
            return out
        case .mobility(let dataLength):
            let length = Self.roundUp8(2 + dataLength)
            var out: [UInt8] = [next, UInt8(length / 8 - 1)]
            out.append(contentsOf: [UInt8](repeating: 0, count: length - 2))
            return out
        }
    }

    private static func roundUp8(_ value: Int) -> Int { (value + 7) / 8 * 8 }

    /// PadN / Pad1 options filling `count` bytes.
    private static func padN(_ count: Int) -> [UInt8] {
        if count == 0 { return [] }
        if count == 1 { return [0] }
        return [1, UInt8(count - 2)] + [UInt8](repeating: 0, count: count - 2)
    }
}
