import NetCore

/// Zeek's `proto` field.
public enum TransportProtocol: UInt8, Sendable, BitwiseCopyable, Codable, CustomStringConvertible {
    case tcp = 6
    case udp = 17
    case icmp = 1
    case icmpv6 = 58
    /// Any other IP protocol (a flow per address pair and protocol number).
    case other = 0

    /// Zeek's spelling: `tcp`, `udp`, `icmp` (ICMPv6 is also `icmp` in Zeek), `unknown_transport`.
    public var description: String {
        switch self {
        case .tcp: "tcp"
        case .udp: "udp"
        case .icmp, .icmpv6: "icmp"
        case .other: "unknown_transport"
        }
    }
}
