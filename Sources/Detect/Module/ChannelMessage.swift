import NetCore
import Records

/// Everything that travels on a channel.
public enum ChannelMessage: Sendable {
    /// A record (flow, ARP packet, SSH banner, …) on its kind's channel, with its profile and window.
    case record(Record, profile: ProfileID, timeWindow: TimeWindow)
    /// First sight of an IP (as originator or responder).
    case newIP(IPAddress, PacketTime)
    /// A new profile was created (first flow originated by this IP).
    case newProfile(ProfileID, PacketTime)
    /// A time window of a profile closed (packet time moved past its end).
    case twClosed(ProfileID, TimeWindow)
    /// Evidence was accepted.
    case evidenceAdded(Evidence)
    /// An alert was raised.
    case newAlert(Alert)

    /// The channel this message travels on.
    public var channel: Channel {
        switch self {
        case .record(let record, _, _): Channel(name: record.channel)
        case .newIP: .newIP
        case .newProfile: .newProfile
        case .twClosed: .twClosed
        case .evidenceAdded: .evidenceAdded
        case .newAlert: .newAlert
        }
    }

    /// The record of kind `Body` with its profile and window, or nil for any other message.
    @inline(__always)
    public func record<Body: RecordBody>(_ kind: Body.Type) -> RecordMessage<Body>? {
        guard case .record(let record, let profile, let window) = self, let body = Body.from(record) else { return nil }
        return RecordMessage(record: body, profile: profile, timeWindow: window)
    }

    /// A flow message, when this is one (the flow is matched in place: only the `ConnRecord` is copied out).
    @inline(__always)
    public var flow: FlowMessage? {
        guard case .record(.conn(let flow), let profile, let window) = self else { return nil }
        return FlowMessage(record: flow, profile: profile, timeWindow: window)
    }
    /// An ARP message, when this is one.
    public var arp: ARPMessage? { record(ARPRecord.self) }
    /// An SSH message, when this is one.
    public var ssh: SSHMessage? { record(SSHRecord.self) }

    /// Wraps a record message.
    public static func record<Body: RecordBody>(_ message: RecordMessage<Body>) -> ChannelMessage {
        .record(message.record.record, profile: message.profile, timeWindow: message.timeWindow)
    }
}
