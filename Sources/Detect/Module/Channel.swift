import Capture

/// The in-process channels that replace Slips' Redis channels. Detectors subscribe by name in `init`.
public enum Channel: String, Sendable, CaseIterable, Codable {
    case newFlow = "new_flow"
    case newIP = "new_ip"
    case newProfile = "new_profile"
    case newARP = "new_arp"
    case newSSH = "new_ssh"
    case twClosed = "tw_closed"
    case evidenceAdded = "evidence_added"
    case newAlert = "new_alert"
    case newBlocking = "new_blocking"
}

/// A flow on `new_flow`, with the profile (originator) and time window it belongs to.
public struct FlowMessage: Sendable, Hashable {
    public var flow: FlowRecord
    public var profile: ProfileID
    public var timeWindow: TimeWindow
    public init(flow: FlowRecord, profile: ProfileID, timeWindow: TimeWindow) {
        self.flow = flow; self.profile = profile; self.timeWindow = timeWindow
    }
}

/// An ARP packet on `new_arp`: the packet as seen (`packet`, whose fields read directly, e.g. `message.senderIP`)
/// plus the profile (the sender's IP) and time window the engine assigned.
@dynamicMemberLookup
public struct ARPMessage: Sendable, Hashable {
    public var packet: ARPObservation
    public var profile: ProfileID
    public var timeWindow: TimeWindow
    public init(packet: ARPObservation, profile: ProfileID, timeWindow: TimeWindow) {
        self.packet = packet; self.profile = profile; self.timeWindow = timeWindow
    }
    public subscript<T>(dynamicMember field: KeyPath<ARPObservation, T>) -> T { packet[keyPath: field] }
}

/// An SSH identification string (`SSH-2.0-…`) seen on any port, on `new_ssh`: the banner as seen (`sighting`,
/// whose fields read directly, e.g. `message.server`) plus the profile (the client) and time window.
@dynamicMemberLookup
public struct SSHMessage: Sendable, Hashable {
    public var sighting: SSHObservation
    public var profile: ProfileID
    public var timeWindow: TimeWindow
    public init(sighting: SSHObservation, profile: ProfileID, timeWindow: TimeWindow) {
        self.sighting = sighting; self.profile = profile; self.timeWindow = timeWindow
    }
    public subscript<T>(dynamicMember field: KeyPath<SSHObservation, T>) -> T { sighting[keyPath: field] }
}

/// An alert: enough evidence about one profile in one time window.
public struct Alert: Sendable, Hashable, Identifiable {
    public var id: String
    public var profile: ProfileID
    public var timeWindow: TimeWindow
    /// The evidence that made up the accumulated threat.
    public var evidence: [Evidence]
    /// Σ threat × confidence that crossed the threshold.
    public var accumulatedThreat: Double
    /// Packet time of the evidence that crossed the threshold.
    public var timestamp: PacketTime
    public init(id: String = EvidenceID.make(), profile: ProfileID, timeWindow: TimeWindow, evidence: [Evidence],
                accumulatedThreat: Double, timestamp: PacketTime) {
        self.id = id; self.profile = profile; self.timeWindow = timeWindow; self.evidence = evidence
        self.accumulatedThreat = accumulatedThreat; self.timestamp = timestamp
    }
}

/// A request to block a profile's IP, published on `new_blocking` when blocking is on.
public struct BlockRequest: Sendable, Hashable {
    public var ip: IPAddress
    public var alertID: String
    /// One line saying why (evidence types).
    public var reason: String
    /// How long the block lasts, in seconds.
    public var durationSeconds: Int
    public var timestamp: PacketTime
    public init(ip: IPAddress, alertID: String, reason: String, durationSeconds: Int, timestamp: PacketTime) {
        self.ip = ip; self.alertID = alertID; self.reason = reason
        self.durationSeconds = durationSeconds; self.timestamp = timestamp
    }
}

/// Everything that travels on a channel.
public enum ChannelMessage: Sendable {
    case newFlow(FlowMessage)
    /// First sight of an IP (as originator or responder).
    case newIP(IPAddress, PacketTime)
    /// A new profile was created (first flow originated by this IP).
    case newProfile(ProfileID, PacketTime)
    case newARP(ARPMessage)
    case newSSH(SSHMessage)
    /// A time window of a profile closed (packet time moved past its end).
    case twClosed(ProfileID, TimeWindow)
    case evidenceAdded(Evidence)
    case newAlert(Alert)
    case newBlocking(BlockRequest)

    /// The channel this message travels on.
    public var channel: Channel {
        switch self {
        case .newFlow: .newFlow
        case .newIP: .newIP
        case .newProfile: .newProfile
        case .newARP: .newARP
        case .newSSH: .newSSH
        case .twClosed: .twClosed
        case .evidenceAdded: .evidenceAdded
        case .newAlert: .newAlert
        case .newBlocking: .newBlocking
        }
    }
}
