/// An application protocol an analyzer recognises; its `service` is Zeek's name for the conn record's `service`.
///
/// DNS has an analyzer; the other cases are the extension points issue 10 names (TLS, HTTP, SSH, SMTP, DHCP,
/// QUIC): each gets a probe in `ProtocolProbe`, a folder under `Capture/Analyzers/`, and a state field in
/// `AnalyzedFlow`.
public enum ApplicationProtocol: UInt8, Sendable, CaseIterable {
    case dns = 1
    case tls
    case http
    case ssh
    case smtp
    case dhcp
    case quic

    /// Zeek's `service` value.
    public var service: String {
        switch self {
        case .dns: "dns"
        case .tls: "ssl"
        case .http: "http"
        case .ssh: "ssh"
        case .smtp: "smtp"
        case .dhcp: "dhcp"
        case .quic: "quic"
        }
    }
}
