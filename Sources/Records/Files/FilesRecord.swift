import NetCore

/// One file seen on the wire, as Zeek's files.log writes it (Zeek's field in each comment); also filled from
/// Suricata `fileinfo` events.
public struct FilesRecord: Sendable, Hashable, RecordBody {
    /// The channel file records travel on (Slips' `new_downloaded_file`).
    public static let channel = "new_downloaded_file"
    /// `ts`.
    public var time: PacketTime
    /// `fuid`: the file's id (joins http.log `resp_fuids`, ssl.log `cert_chain_fuids`, x509.log `id`).
    public var fileID: String
    /// `tx_hosts`: who sent it.
    public var transmitters: [IPAddress] = []
    /// `rx_hosts`: who received it.
    public var receivers: [IPAddress] = []
    /// `conn_uids`: the connections it travelled on (joins conn.log `uid`).
    public var connectionUIDs: [FlowUID] = []
    /// `source` (`HTTP`, `SSL`, `SMTP`, …).
    public var source: String = ""
    /// `depth`.
    public var depth: UInt64 = 0
    /// `analyzers` (`MD5`, `SHA1`, `X509`, …).
    public var analyzers: [String] = []
    /// `mime_type`.
    public var mimeType: String = ""
    /// `filename`.
    public var filename: String = ""
    /// `seen_bytes`.
    public var seenBytes: UInt64 = 0
    /// `total_bytes` (Slips' `size`).
    public var totalBytes: UInt64 = 0
    /// `md5`.
    public var md5: String = ""
    /// `sha1`.
    public var sha1: String = ""
    /// `sha256`.
    public var sha256: String = ""

    /// A record with the given time and file id; the other fields at their unset values.
    public init(time: PacketTime, fileID: String) { self.time = time; self.fileID = fileID }

    /// The profile: the first receiver (who downloaded it), else the first sender.
    public var profileIP: IPAddress { receivers.first ?? transmitters.first ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .files(self) }
    /// The files record inside `record`, if it is one.
    public static func from(_ record: Record) -> FilesRecord? { if case .files(let value) = record { value } else { nil } }
}
