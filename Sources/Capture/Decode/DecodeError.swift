import NetCore
import Records
/// Every way a packet can fail to decode. Each case has a stable label and its own counter; a packet that fails
/// is counted and skipped (or, inline, accepted), never a crash.
public enum DecodeError: Int, Error, Sendable, CaseIterable, CustomStringConvertible {
    case unsupportedLinkType
    case ethernetTruncated
    case vlanTruncated
    case vlanTooDeep
    case sllTruncated
    case arpTruncated
    case arpUnsupported
    case ipv4Truncated
    case ipv4BadVersion
    case ipv4HeaderTooShort
    case ipv4TotalLengthTooShort
    case ipv4TotalLengthBeyondCapture
    case ipv6Truncated
    case ipv6BadVersion
    case ipv6PayloadBeyondCapture
    case ipv6ExtensionTruncated
    case ipv6TooManyExtensions
    case tcpTruncated
    case tcpHeaderTooShort
    case tcpOptionsTruncated
    case udpTruncated
    case udpLengthInvalid
    case icmpTruncated
    case icmpv6Truncated
    case unknownEtherType

    /// A stable snake_case label used in summaries, logs and metrics.
    public var label: String {
        switch self {
        case .unsupportedLinkType: "unsupported_link_type"
        case .ethernetTruncated: "ethernet_truncated"
        case .vlanTruncated: "vlan_truncated"
        case .vlanTooDeep: "vlan_too_deep"
        case .sllTruncated: "sll_truncated"
        case .arpTruncated: "arp_truncated"
        case .arpUnsupported: "arp_unsupported"
        case .ipv4Truncated: "ipv4_truncated"
        case .ipv4BadVersion: "ipv4_bad_version"
        case .ipv4HeaderTooShort: "ipv4_header_too_short"
        case .ipv4TotalLengthTooShort: "ipv4_total_length_too_short"
        case .ipv4TotalLengthBeyondCapture: "ipv4_total_length_beyond_capture"
        case .ipv6Truncated: "ipv6_truncated"
        case .ipv6BadVersion: "ipv6_bad_version"
        case .ipv6PayloadBeyondCapture: "ipv6_payload_beyond_capture"
        case .ipv6ExtensionTruncated: "ipv6_extension_truncated"
        case .ipv6TooManyExtensions: "ipv6_too_many_extensions"
        case .tcpTruncated: "tcp_truncated"
        case .tcpHeaderTooShort: "tcp_header_too_short"
        case .tcpOptionsTruncated: "tcp_options_truncated"
        case .udpTruncated: "udp_truncated"
        case .udpLengthInvalid: "udp_length_invalid"
        case .icmpTruncated: "icmp_truncated"
        case .icmpv6Truncated: "icmpv6_truncated"
        case .unknownEtherType: "unknown_ethertype"
        }
    }

    public var description: String { label }
}
