import NetCore
import Records

/// Protocol names as Slips writes them in descriptions (`TCP`, `UDP`, `ICMP`).
extension TransportProtocol {
    var upperName: String {
        switch self {
        case .tcp: "TCP"
        case .udp: "UDP"
        case .icmp: "ICMP"
        case .icmpv6: "ICMPv6"
        case .other: "OTHER"
        }
    }
}

extension TransportProtocol {
    /// Protocol names as Slips writes them in `port/proto` (`tcp`, `udp`, `icmp`).
    var lowerName: String {
        switch self {
        case .tcp: "tcp"
        case .udp: "udp"
        case .icmp: "icmp"
        case .icmpv6: "ipv6-icmp"
        case .other: "other"
        }
    }
}
