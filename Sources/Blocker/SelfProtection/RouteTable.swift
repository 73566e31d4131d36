import NetCore
/// Parses the kernel's routing tables as text (/proc/net/route, /proc/net/ipv6_route) to find gateways: the
/// next hops of routes with the RTF_GATEWAY flag.
enum RouteTable {
    /// A next hop found in a routing table.
    struct Gateway: Equatable {
        /// The gateway's address.
        var address: IPAddress
        /// The interface of the route.
        var interface: String
        /// True for a default route (destination prefix length 0).
        var isDefault: Bool
    }

    /// `RTF_GATEWAY` in the flags column of both files.
    static let gatewayFlag: UInt32 = 0x0002
    /// `RTF_REJECT`: unreachable, prohibit and blackhole routes (no host behind them).
    static let rejectFlag: UInt32 = 0x0200
    /// `RTF_LOCAL` (IPv6): the host's own addresses, in the local table.
    static let localFlag: UInt32 = 0x8000_0000

    /// A directly connected (on-link) prefix: a route without a gateway, reached on its interface.
    struct OnLink: Equatable {
        /// The prefix.
        var range: CIDR
        /// The route's interface.
        var interface: String
    }

    /// On-link prefixes in /proc/net/route text: routes without `RTF_GATEWAY` or `RTF_REJECT`, not on `lo`,
    /// with a prefix length above 0 (a default route through an interface, as on PPP links, would cover every
    /// address: it is left out). Malformed lines are skipped.
    static func ipv4OnLink(_ text: String) -> [OnLink] {
        var result: [OnLink] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8, fields[0] != "lo",
                  let destinationWord = UInt32(fields[1], radix: 16),
                  let flags = UInt32(fields[3], radix: 16),
                  let maskWord = UInt32(fields[7], radix: 16),
                  flags & (gatewayFlag | rejectFlag) == 0 else { continue }
            let prefix = (~UInt32(bigEndian: maskWord)).leadingZeroBitCount
            guard prefix > 0, let range = CIDR(network: IPAddress(ipv4: UInt32(bigEndian: destinationWord)),
                                               prefixLength: prefix) else { continue }
            result.append(OnLink(range: range, interface: String(fields[0])))
        }
        return result
    }

    /// On-link prefixes in /proc/net/ipv6_route text: routes without `RTF_GATEWAY`, `RTF_REJECT` or `RTF_LOCAL`,
    /// not on `lo`, with a prefix length above 0, multicast (ff00::/8) left out. Malformed lines are skipped.
    static func ipv6OnLink(_ text: String) -> [OnLink] {
        var result: [OnLink] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 10, fields[9] != "lo",
                  let prefix = UInt8(fields[1], radix: 16), prefix > 0,
                  let flags = UInt32(fields[8], radix: 16),
                  flags & (gatewayFlag | rejectFlag | localFlag) == 0,
                  let destination = hexAddress(fields[0]), destination.high >> 56 != 0xFF,
                  let range = CIDR(network: destination, prefixLength: Int(prefix)) else { continue }
            result.append(OnLink(range: range, interface: String(fields[9])))
        }
        return result
    }

    /// Gateways in /proc/net/route text. Columns: Iface, Destination, Gateway, Flags, …, Mask; addresses are
    /// the raw 32-bit words in host byte order printed as hex. Malformed lines are skipped.
    static func ipv4Gateways(_ text: String) -> [Gateway] {
        var result: [Gateway] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8,
                  let gatewayWord = UInt32(fields[2], radix: 16),
                  let flags = UInt32(fields[3], radix: 16),
                  let maskWord = UInt32(fields[7], radix: 16),
                  flags & gatewayFlag != 0, gatewayWord != 0 else { continue }
            let address = IPAddress(ipv4: UInt32(bigEndian: gatewayWord))
            result.append(Gateway(address: address, interface: String(fields[0]), isDefault: maskWord == 0))
        }
        return result
    }

    /// Gateways in /proc/net/ipv6_route text. Columns: destination (32 hex), prefix length (hex), source, source
    /// prefix length, next hop (32 hex), metric, refcount, use, flags, interface. Malformed lines are skipped.
    static func ipv6Gateways(_ text: String) -> [Gateway] {
        var result: [Gateway] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 10,
                  let prefixLength = UInt8(fields[1], radix: 16),
                  let flags = UInt32(fields[8], radix: 16),
                  flags & gatewayFlag != 0,
                  let address = hexAddress(fields[4]),
                  address.high != 0 || address.low != 0 else { continue }
            result.append(Gateway(address: address, interface: String(fields[9]), isDefault: prefixLength == 0))
        }
        return result
    }

    /// 32 hex digits (network order) as an IPv6 address; nil when malformed.
    private static func hexAddress(_ text: Substring) -> IPAddress? {
        guard text.count == 32,
              let high = UInt64(text.prefix(16), radix: 16),
              let low = UInt64(text.suffix(16), radix: 16) else { return nil }
        return IPAddress(high: high, low: low)
    }
}
