import NetCore

/// One TLS/SSL session, as Zeek's ssl.log writes it (Zeek's field in each comment); also filled from Suricata `tls`
/// events.
public struct SSLRecord: Sendable, Hashable, RecordBody {
    /// The channel SSL records travel on (Slips' `new_ssl`).
    public static let channel = "new_ssl"
    /// `ts`.
    public var time: PacketTime
    /// `uid`.
    public var uid: FlowUID
    /// `id.*`.
    public var id: ConnectionID
    /// `version` (`TLSv12`, `TLSv13`).
    public var version: String = ""
    /// `cipher`.
    public var cipher: String = ""
    /// `curve`.
    public var curve: String = ""
    /// `server_name`: the SNI.
    public var serverName: String = ""
    /// `resumed`.
    public var resumed = false
    /// `established`.
    public var established = false
    /// `cert_chain_fuids` (Zeek < 6) or `cert_chain_fps` (Zeek ≥ 6): joins x509.log `id` / `fingerprint`.
    public var certificateChain: [String] = []
    /// `client_cert_chain_fuids` / `client_cert_chain_fps`.
    public var clientCertificateChain: [String] = []
    /// `subject` of the server certificate.
    public var subject: String = ""
    /// `issuer` of the server certificate.
    public var issuer: String = ""
    /// `validation_status` (`ok`, `self signed certificate`, …).
    public var validationStatus: String = ""
    /// `ja3` (a Zeek package's field).
    public var ja3: String = ""
    /// `ja3s`.
    public var ja3s: String = ""
    /// `next_protocol`: the ALPN protocol the server chose (when visible: TLS ≤ 1.2 ServerHello).
    public var nextProtocol: String = ""
    /// `ja4` (FoxIO's JA4 of the ClientHello; `t…` over TCP, `q…` over QUIC).
    public var ja4: String = ""
    /// `ssl_client_exts` / `ssl_server_exts` (Zeek's ssl-log-ext policy): extension types in wire order.
    public var clientExtensions: [UInt16] = []
    public var serverExtensions: [UInt16] = []
    /// `client_ciphers`: the ClientHello's cipher suites in wire order.
    public var clientCiphers: [UInt16] = []
    /// `client_alpn` (the ClientHello's ALPN protocols) and `client_supported_versions`.
    public var clientALPN: [String] = []
    public var clientSupportedVersions: [UInt16] = []
    /// The transport the hello came over: false for TLS over TCP, true for QUIC (Zeek's quic.log).
    public var overQUIC = false

    /// True when the flow table had proven the flow's TCP handshake when the analyzer made the record (as
    /// `ConnRecord.handshake`; not a Zeek field): both addresses are then real. False for records read from files.
    public var handshake = false

    /// A record with the given time, uid and id; the other fields at their unset values.
    public init(time: PacketTime, uid: FlowUID, id: ConnectionID) { self.time = time; self.uid = uid; self.id = id }

    /// The profile: the client (`id.orig_h`).
    public var profileIP: IPAddress { id.originator ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .ssl(self) }
    /// The ssl record inside `record`, if it is one.
    public static func from(_ record: Record) -> SSLRecord? { if case .ssl(let value) = record { value } else { nil } }
}
