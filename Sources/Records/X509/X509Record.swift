import NetCore

/// One certificate, as Zeek's x509.log writes it (Zeek's field in each comment). x509.log names no host: the
/// reader of a Zeek directory joins the certificate to the TLS session that carried it (the ssl.log line whose
/// certificate chain lists `id`, or the files.log line of that file) and fills `uid` and `client` from it.
public struct X509Record: Sendable, Hashable, RecordBody {
    /// The channel x509 records travel on (`new_x509`; Slips reads certificates through ssl.log only).
    public static let channel = "new_x509"
    /// `ts`.
    public var time: PacketTime
    /// `id` (the file's fuid) or, from Zeek 6, `fingerprint`.
    public var fileID: String
    /// `certificate.version`.
    public var version: UInt64 = 0
    /// `certificate.serial`.
    public var serial: String = ""
    /// `certificate.subject`.
    public var subject: String = ""
    /// `certificate.issuer`.
    public var issuer: String = ""
    /// `certificate.not_valid_before`.
    public var notValidBefore: PacketTime?
    /// `certificate.not_valid_after`.
    public var notValidAfter: PacketTime?
    /// `certificate.key_alg`.
    public var keyAlgorithm: String = ""
    /// `certificate.sig_alg`.
    public var signatureAlgorithm: String = ""
    /// `certificate.key_type`.
    public var keyType: String = ""
    /// `certificate.key_length`, bits.
    public var keyLength: UInt64 = 0
    /// `san.dns`.
    public var sanDNS: [String] = []
    /// `san.ip`.
    public var sanIP: [IPAddress] = []
    /// `basic_constraints.ca`.
    public var isCA = false
    /// The TLS connection that carried it (joined; nil when no ssl.log or files.log line named this file).
    public var uid: FlowUID?
    /// The client of that connection (joined).
    public var client: IPAddress?

    /// A record with the given time and file id; the other fields at their unset values.
    public init(time: PacketTime, fileID: String) { self.time = time; self.fileID = fileID }

    /// The profile: the client of the TLS session that carried it, once joined (else 0.0.0.0).
    public var profileIP: IPAddress { client ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .x509(self) }
    /// The x509 record inside `record`, if it is one.
    public static func from(_ record: Record) -> X509Record? { if case .x509(let value) = record { value } else { nil } }
}
