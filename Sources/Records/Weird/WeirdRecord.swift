import NetCore

/// One protocol oddity Zeek reported (weird.log; Zeek's field in each comment).
public struct WeirdRecord: Sendable, Hashable, RecordBody {
    /// The channel weird records travel on (Slips' `new_weird`).
    public static let channel = "new_weird"
    /// `ts`.
    public var time: PacketTime
    /// `uid` (nil when the oddity belongs to no connection).
    public var uid: FlowUID?
    /// `id.*` (unset addresses for non-IP oddities).
    public var id: ConnectionID = .unset
    /// `name` (`bad_TCP_checksum`, `non_ip_packet_in_ethernet`, …).
    public var name: String = ""
    /// `addl`.
    public var additional: String = ""
    /// `notice`.
    public var notice = false
    /// `peer`.
    public var peer: String = ""

    /// A record with the given time; the other fields at their unset values.
    public init(time: PacketTime) { self.time = time }

    /// The profile: `id.orig_h` (0.0.0.0 for oddities of no IP flow).
    public var profileIP: IPAddress { id.originator ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .weird(self) }
    /// The weird record inside `record`, if it is one.
    public static func from(_ record: Record) -> WeirdRecord? { if case .weird(let value) = record { value } else { nil } }
}
