import NetCore

/// Zeek's `conn_state`: how a connection began and ended, as seen by the flow table.
public enum ConnState: String, Sendable, CaseIterable, Codable {
    /// Connection attempt seen, no reply.
    case S0
    /// Established, not terminated.
    case S1
    /// Normal establishment and termination.
    case SF
    /// Connection attempt rejected.
    case REJ
    /// Established, originator sent FIN, nothing from the responder after.
    case S2
    /// Established, responder sent FIN, nothing from the originator after.
    case S3
    /// Established, originator aborted (RST).
    case RSTO
    /// Established, responder aborted.
    case RSTR
    /// Originator sent SYN then RST; no SYN-ACK from the responder.
    case RSTOS0
    /// Responder sent SYN-ACK then RST; no SYN from the originator seen.
    case RSTRH
    /// Originator sent SYN then FIN; no SYN-ACK from the responder ("half-open").
    case SH
    /// Responder sent SYN-ACK then FIN; no SYN from the originator seen.
    case SHR
    /// No SYN seen, just midstream traffic. Every ICMP flow and every flow of another IP protocol is OTH too, as
    /// in Zeek; UDP flows are S0 (only the originator sent), SF (both sides sent) or SHR (only the responder).
    case OTH

    /// Slips' split: S0, REJ, RSTOS0, RSTRH, SH, SHR are "not established".
    public var isEstablished: Bool {
        switch self {
        case .S0, .REJ, .RSTOS0, .RSTRH, .SH, .SHR: false
        default: true
        }
    }
}
