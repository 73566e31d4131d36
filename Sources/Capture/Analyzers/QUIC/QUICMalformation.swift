/// Why a QUIC Initial packet or its contents could not be used: one case per malformation, each with a stable
/// label and a counter in `QUICMalformationCounters`.
public enum QUICMalformation: UInt8, Error, CaseIterable, Sendable {
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

/// Counts QUIC malformations by kind; a fixed array indexed by the case's raw value.
public struct QUICMalformationCounters: Sendable, Equatable {
    private var counts = [UInt64](repeating: 0, count: QUICMalformation.allCases.count)

    /// No malformation counted yet.
    public init() {}

    /// Counts one malformation.
    @inline(__always)
    public mutating func count(_ malformation: QUICMalformation) { counts[Int(malformation.rawValue)] &+= 1 }

    /// How often `malformation` was seen.
    public subscript(malformation: QUICMalformation) -> UInt64 { counts[Int(malformation.rawValue)] }

    /// All malformations counted.
    public var total: UInt64 { counts.reduce(0, &+) }

    /// The non-zero counters by label, for summaries.
    public var nonZero: [(label: String, count: UInt64)] {
        QUICMalformation.allCases.compactMap { counts[Int($0.rawValue)] == 0 ? nil : ($0.label, counts[Int($0.rawValue)]) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.counts == rhs.counts }
}
