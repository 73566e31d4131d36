import NetCore

/// One FTP command and its reply, as Zeek's ftp.log writes it (Zeek's field in each comment). Slips reads
/// `data_channel.resp_p` to know which ports carry FTP data (excluded from its unknown-port check).
public struct FTPRecord: Sendable, Hashable, RecordBody {
    /// The channel FTP records travel on (`new_ftp`: Slips stores the data port instead of publishing it).
    public static let channel = "new_ftp"
    /// `ts`.
    public var time: PacketTime
    /// `uid`.
    public var uid: FlowUID
    /// `id.*`.
    public var id: ConnectionID
    /// `user`.
    public var user: String = ""
    /// `command`.
    public var command: String = ""
    /// `arg`.
    public var argument: String = ""
    /// `reply_code` (0 when unset).
    public var replyCode: UInt16 = 0
    /// `data_channel.resp_p`: the port of the data connection the command opened (0 when none).
    public var dataChannelResponderPort: UInt16 = 0

    /// A record with the given time, uid and id; the other fields at their unset values.
    public init(time: PacketTime, uid: FlowUID, id: ConnectionID) { self.time = time; self.uid = uid; self.id = id }

    /// The profile: the client.
    public var profileIP: IPAddress { id.originator ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .ftp(self) }
    /// The ftp record inside `record`, if it is one.
    public static func from(_ record: Record) -> FTPRecord? { if case .ftp(let value) = record { value } else { nil } }
}
