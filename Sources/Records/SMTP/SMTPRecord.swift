import NetCore

/// One SMTP transaction, as Zeek's smtp.log writes it (Zeek's field in each comment).
public struct SMTPRecord: Sendable, Hashable, RecordBody {
    /// The channel SMTP records travel on (Slips' `new_smtp`).
    public static let channel = "new_smtp"
    /// `ts`.
    public var time: PacketTime
    /// `uid`.
    public var uid: FlowUID
    /// `id.*`.
    public var id: ConnectionID
    /// `helo`.
    public var helo: String = ""
    /// `mailfrom`.
    public var mailFrom: String = ""
    /// `rcptto`.
    public var recipients: [String] = []
    /// `from` header.
    public var from: String = ""
    /// `to` header.
    public var to: [String] = []
    /// `subject`.
    public var subject: String = ""
    /// `last_reply` (`535 5.7.8 Authentication failed`: what Slips' SMTP brute-force check reads).
    public var lastReply: String = ""
    /// `user_agent`.
    public var userAgent: String = ""
    /// `tls`.
    public var tls = false
    /// The SASL mechanisms the client asked for with AUTH (`PLAIN`, `LOGIN`; not a Zeek field: packets only).
    public var authMechanisms: [String] = []
    /// AUTH exchanges the server accepted (235) and refused (535 and other 4xx/5xx) (not Zeek fields).
    public var authSuccesses: UInt64 = 0
    public var authFailures: UInt64 = 0

    /// True when the flow table had proven the flow's TCP handshake when the analyzer made the record (as
    /// `ConnRecord.handshake`; not a Zeek field): both addresses are then real. False for records read from files.
    public var handshake = false

    /// A record with the given time, uid and id; the other fields at their unset values.
    public init(time: PacketTime, uid: FlowUID, id: ConnectionID) { self.time = time; self.uid = uid; self.id = id }

    /// The profile: the client (`id.orig_h`).
    public var profileIP: IPAddress { id.originator ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .smtp(self) }
    /// The smtp record inside `record`, if it is one.
    public static func from(_ record: Record) -> SMTPRecord? { if case .smtp(let value) = record { value } else { nil } }
}
