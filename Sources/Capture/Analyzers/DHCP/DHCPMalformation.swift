/// Why a DHCP message could not be read (RFC 2131, RFC 2132), counted in `AnalyzerStatistics.dhcpMalformations`.
public enum DHCPMalformation: UInt8, AnalyzerMalformation {
    /// Shorter than the 236-byte BOOTP header and the 4-byte magic cookie.
    case truncated
    /// The magic cookie is not 99.130.83.99.
    case badCookie
    /// An option whose length runs past the message.
    case optionTruncated
    /// No DHCP message type option (53), or one outside 1–18.
    case badMessageType
    /// An option with a length its type cannot have (an address of 3 bytes).
    case badOptionLength

    /// The stable label used in counters and logs.
    public var label: String {
        switch self {
        case .truncated: "dhcp_truncated"
        case .badCookie: "dhcp_bad_cookie"
        case .optionTruncated: "dhcp_option_truncated"
        case .badMessageType: "dhcp_bad_message_type"
        case .badOptionLength: "dhcp_bad_option_length"
        }
    }
}
