import NetCore
import Records

/// The ICMP requests whose sweeps across hosts `ICMPScanDetector` reports. The flow table puts the ICMP type of
/// a flow's first packet in `originatorPort` (as Zeek does in `id.orig_p`).
enum ICMPScanKind: CaseIterable, Hashable {
    /// Echo request: ICMP type 8, ICMPv6 type 128 (a ping sweep).
    case echo
    /// Timestamp request: ICMP type 13.
    case timestamp
    /// Address mask request: ICMP type 17.
    case addressMask

    /// The kind of a flow, or nil when it is not one of these requests.
    init?(_ flow: ConnRecord) {
        switch (flow.proto, flow.originatorPort) {
        case (.icmp, 8), (.icmpv6, 128): self = .echo
        case (.icmp, 13): self = .timestamp
        case (.icmp, 17): self = .addressMask
        default: return nil
        }
    }

    /// The evidence type of a sweep of this kind.
    var evidenceType: EvidenceType {
        switch self {
        case .echo: .ICMP_ADDRESS_SCAN
        case .timestamp: .ICMP_TIMESTAMP_SCAN
        case .addressMask: .ICMP_ADDRESS_MASK_SCAN
        }
    }

    /// The scan's name in the description, as Slips' Zeek script writes it (`… performed ICMP address scan on
    /// 25 hosts`).
    var text: String {
        switch self {
        case .echo: "ICMP address scan"
        case .timestamp: "ICMP timestamp scan"
        case .addressMask: "ICMP address mask scan"
        }
    }
}
