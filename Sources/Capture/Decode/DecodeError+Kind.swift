import NetCore
import Records
extension DecodeError {
    /// False for outcomes that are not damage to the packet: `unknownEtherType` (non-IP traffic such as LLDP or
    /// STP, which the decoder declines) and `unsupportedLinkType` (a framing slipsd does not read). True for
    /// every truncation or inconsistent header. Lets metrics split "not IP" from "malformed".
    public var isMalformation: Bool {
        switch self {
        case .unknownEtherType, .unsupportedLinkType: false
        default: true
        }
    }

    /// The number of cases, the size a counter block must have.
    public static let caseCount = DecodeError.allCases.count
}
