/// The kinds of evidence, named as Slips' `EvidenceType` so that `disabled_detections` and alerts.json read the
/// same for a Slips user.
public enum EvidenceType: String, Sendable, CaseIterable, Codable {
    case HORIZONTAL_PORT_SCAN
    case VERTICAL_PORT_SCAN
    case ICMP_ADDRESS_SCAN
    case ICMP_TIMESTAMP_SCAN
    case ICMP_ADDRESS_MASK_SCAN
    case ARP_SCAN
    case PASSWORD_GUESSING
    case LONG_CONNECTION
    case DATA_UPLOAD
    case PORT_0_CONNECTION
    case MULTIPLE_RECONNECTION_ATTEMPTS
    case UNKNOWN_PORT
    case CONNECTION_TO_PRIVATE_IP
    case CONNECTION_TO_LOCAL_DEVICE
    case NON_HTTP_PORT_80_CONNECTION
    case NON_SSL_PORT_443_CONNECTION
    case DIFFERENT_LOCALNET
    case DEVICE_CHANGING_IP
    case CONNECTION_TO_MULTIPLE_PORTS
    case GRE_TUNNEL
    case GRE_SCAN
    case SSH_SUCCESSFUL
    case MULTIPLE_SSH_VERSIONS
    case BAD_SMTP_LOGIN
    case SMTP_LOGIN_BRUTEFORCE
    case HTTP_TRAFFIC
    case SUSPICIOUS_USER_AGENT
    case EXECUTABLE_MIME_TYPE
    case PASTEBIN_DOWNLOAD
    case WEIRD_HTTP_METHOD
    case EMPTY_CONNECTIONS
    /// Used by the template detector only.
    case TEMPLATE_EVIDENCE
}
