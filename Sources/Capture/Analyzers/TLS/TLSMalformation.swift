/// Why a TLS record or handshake message could not be used: one case per malformation, each with a stable label
/// and a counter in `TLSMalformationCounters` (as `DNSMalformation` is for DNS). The parsers throw the first they
/// meet; the analyzer counts it and stops the flow (or skips the message) without a trap.
public enum TLSMalformation: UInt8, AnalyzerMalformation {
    /// A record header with an unknown content type, a version other than 3.x, or a length above 2^14 + 2048.
    case recordHeaderInvalid
    /// The client's first record is not a handshake record, or its first message not a ClientHello.
    case notClientHello
    /// A ClientHello whose fixed part, session id, cipher list or compression list ends past the message.
    case clientHelloTruncated
    /// A ServerHello whose fixed part ends past the message.
    case serverHelloTruncated
    /// An extension block, an extension or a list inside one ends past its container.
    case extensionTruncated
    /// More ciphers, extensions or list entries than the parser keeps (`TLSHelloParser.maxListEntries`).
    case tooManyEntries
    /// A handshake message longer than the analyzer holds (`TLSAnalyzer.maxHandshakeMessage`); it is skipped.
    case handshakeTooLarge
    /// A Certificate message whose list or an entry's length runs past the message.
    case certificateListTruncated
    /// A certificate swift-certificates could not parse (it is left out of the records).
    case certificateUnparsable
    /// A handshake message held across records could not be kept (the memory budget); the flow stops.
    case budget

    /// The stable label used in counters and logs.
    public var label: String {
        switch self {
        case .recordHeaderInvalid: "tls_record_header_invalid"
        case .notClientHello: "tls_not_client_hello"
        case .clientHelloTruncated: "tls_client_hello_truncated"
        case .serverHelloTruncated: "tls_server_hello_truncated"
        case .extensionTruncated: "tls_extension_truncated"
        case .tooManyEntries: "tls_too_many_entries"
        case .handshakeTooLarge: "tls_handshake_too_large"
        case .certificateListTruncated: "tls_certificate_list_truncated"
        case .certificateUnparsable: "tls_certificate_unparsable"
        case .budget: "tls_budget"
        }
    }
}

/// Counts TLS malformations by kind.
public typealias TLSMalformationCounters = MalformationCounters<TLSMalformation>
