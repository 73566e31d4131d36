import NetCore

/// An SSH identification string (`SSH-2.0-…`, RFC 4253 §4.2) seen on an established TCP flow, once per direction.
public struct SSHRecord: Sendable, Hashable, RecordBody {
    /// The channel SSH records travel on.
    public static let channel = "new_ssh"
    /// Packet time of the segment that carried the banner (`ts`).
    public var time: PacketTime
    /// The flow's uid (`uid`).
    public var uid: FlowUID
    /// The flow's originator (`id.orig_h`, `id.orig_p`).
    public var client: IPAddress
    public var clientPort: UInt16
    /// The flow's responder (`id.resp_h`, `id.resp_p`).
    public var server: IPAddress
    public var serverPort: UInt16
    /// The identification line without its line ending (`client` / `server` in Zeek's ssh.log).
    public var banner: String
    /// True when the responder sent it.
    public var fromServer: Bool
    /// True when the flow table had proven the flow's TCP handshake when the banner was seen (as
    /// `ConnRecord.handshake`): both addresses are then real. False for records read from files.
    public var handshake: Bool
    /// The rest of a Zeek ssh.log line (the record then stands for the whole session, `banner` is its `client`);
    /// nil for banners seen in packets.
    public var log: SSHLogDetails?

    /// Memberwise initializer.
    public init(time: PacketTime, uid: FlowUID, client: IPAddress, clientPort: UInt16, server: IPAddress,
                serverPort: UInt16, banner: String, fromServer: Bool, handshake: Bool = false,
                log: SSHLogDetails? = nil) {
        self.time = time; self.uid = uid; self.client = client; self.clientPort = clientPort
        self.server = server; self.serverPort = serverPort; self.banner = banner; self.fromServer = fromServer
        self.handshake = handshake; self.log = log
    }

    /// The profile an SSH record belongs to: the client.
    public var profileIP: IPAddress { client }
    /// Wraps the record for the hand-off.
    public var record: Record { .ssh(self) }
    /// The ssh record inside `record`, if it is one.
    public static func from(_ record: Record) -> SSHRecord? {
        if case .ssh(let value) = record { value } else { nil }
    }
}
