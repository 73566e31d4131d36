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
