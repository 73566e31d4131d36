import NetCore

/// One Zeek notice (notice.log; Zeek's field in each comment): `Scan::Port_Scan`, `Scan::Address_Scan`,
/// `SSH::Password_Guessing`, `SSL::Invalid_Server_Cert`, …
public struct NoticeRecord: Sendable, Hashable, RecordBody {
    /// The channel notice records travel on (Slips' `new_notice`).
    public static let channel = "new_notice"
    /// `ts`.
    public var time: PacketTime
    /// `uid` (nil when unset: scans are about many connections).
    public var uid: FlowUID?
    /// `id.*`.
    public var id: ConnectionID = .unset
    /// `note`.
    public var note: String = ""
    /// `msg`.
    public var message: String = ""
    /// `sub`.
    public var subMessage: String = ""
    /// `src`: for scans, the scanner.
    public var source: IPAddress?
    /// `dst`.
    public var destination: IPAddress?
    /// `p`: for address scans, the port.
    public var port: UInt16 = 0
    /// `n`.
    public var count: UInt64 = 0

    /// A record with the given time; the other fields at their unset values.
    public init(time: PacketTime) { self.time = time }

    /// The profile: `id.orig_h`, else `src` (the scanner of a scan notice).
    public var profileIP: IPAddress { id.originator ?? source ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .notice(self) }
    /// The notice record inside `record`, if it is one.
    public static func from(_ record: Record) -> NoticeRecord? { if case .notice(let value) = record { value } else { nil } }
}
