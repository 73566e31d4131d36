/// Why a QUIC Initial packet or its contents could not be used: one case per malformation, each with a stable
/// label and a counter in `QUICMalformationCounters`.
public enum QUICMalformation: UInt8, AnalyzerMalformation {
    /// A long header that ends before its packet number (connection ids, token, length).
    case headerTruncated
    /// A connection id longer than 20 bytes (RFC 9000 §17.2).
    case connectionIDTooLong
    /// A packet length running past the datagram, or too short for a packet number and a sample.
    case lengthInvalid
    /// AES-128-GCM authentication failed (not an Initial for these keys, or damaged).
    case decryptionFailed
    /// A frame that may not appear in an Initial packet, or one that ends past the payload.
    case frameInvalid
    /// CRYPTO data beyond the bytes gathered per direction (`AnalyzerConfiguration.quicCryptoBytes`), or too
    /// many separate pieces.
    case cryptoOutOfRange
    /// The CRYPTO stream does not start with a ClientHello (client) or ServerHello (server).
    case unexpectedHandshake
    /// The ClientHello or ServerHello in the CRYPTO stream is malformed (the TLS parser's error).
    case helloMalformed

    /// The stable label used in counters and logs.
    public var label: String {
        switch self {
        case .headerTruncated: "quic_header_truncated"
        case .connectionIDTooLong: "quic_connection_id_too_long"
        case .lengthInvalid: "quic_length_invalid"
        case .decryptionFailed: "quic_decryption_failed"
        case .frameInvalid: "quic_frame_invalid"
        case .cryptoOutOfRange: "quic_crypto_out_of_range"
        case .unexpectedHandshake: "quic_unexpected_handshake"
        case .helloMalformed: "quic_hello_malformed"
        }
    }
}

/// Counts QUIC malformations by kind.
public typealias QUICMalformationCounters = MalformationCounters<QUICMalformation>
