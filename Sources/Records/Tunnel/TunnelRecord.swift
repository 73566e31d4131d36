import NetCore

/// One tunnel event, as Zeek's tunnel.log writes it (Zeek's field in each comment): what Slips' GRE_TUNNEL and
/// GRE_SCAN checks read.
public struct TunnelRecord: Sendable, Hashable, RecordBody {
    /// The channel tunnel records travel on (Slips' `new_tunnel`).
    public static let channel = "new_tunnel"
    /// `ts`.
    public var time: PacketTime
    /// `uid`.
    public var uid: FlowUID
    /// `id.*`.
    public var id: ConnectionID
    /// `tunnel_type` (`Tunnel::GRE`, `Tunnel::IP`, `Tunnel::VXLAN`, …).
    public var tunnelType: String = ""
    /// `action` (`Tunnel::DISCOVER`, `Tunnel::CLOSE`, `Tunnel::EXPIRE`).
    public var action: String = ""

    /// A record with the given time, uid and id; the other fields at their unset values.
    public init(time: PacketTime, uid: FlowUID, id: ConnectionID) { self.time = time; self.uid = uid; self.id = id }

    /// The profile: the tunnel's originator.
    public var profileIP: IPAddress { id.originator ?? .zeroIPv4 }
    /// Wraps the record for the hand-off.
    public var record: Record { .tunnel(self) }
    /// The tunnel record inside `record`, if it is one.
    public static func from(_ record: Record) -> TunnelRecord? { if case .tunnel(let value) = record { value } else { nil } }
}
