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

/// An ARP packet on `new_arp`. The profile is the sender's IP.
public struct ARPMessage: Sendable, Hashable {
    public var time: PacketTime
    /// 1 request, 2 reply.
    public var operation: UInt16
    public var senderMAC: MACAddress
    public var senderIP: IPAddress
    public var targetMAC: MACAddress
    public var targetIP: IPAddress
    /// Destination MAC of the Ethernet frame (broadcast for most requests).
    public var destinationMAC: MACAddress
    public var profile: ProfileID
    public var timeWindow: TimeWindow
    public init(time: PacketTime, operation: UInt16, senderMAC: MACAddress, senderIP: IPAddress,
                targetMAC: MACAddress, targetIP: IPAddress, destinationMAC: MACAddress,
                profile: ProfileID, timeWindow: TimeWindow) {
        self.time = time; self.operation = operation; self.senderMAC = senderMAC; self.senderIP = senderIP
        self.targetMAC = targetMAC; self.targetIP = targetIP; self.destinationMAC = destinationMAC
        self.profile = profile; self.timeWindow = timeWindow
    }
}

/// An SSH identification string (`SSH-2.0-…`) seen on any port, on `new_ssh`. `client`/`server` follow the
/// flow's originator and responder; the profile is the client.
public struct SSHMessage: Sendable, Hashable {
    public var time: PacketTime
    public var uid: FlowUID
    public var client: IPAddress
    public var clientPort: UInt16
    public var server: IPAddress
    public var serverPort: UInt16
    /// The banner line without CR/LF, at most 255 bytes.
    public var banner: String
    /// True when the server sent it, false when the client did.
    public var fromServer: Bool
    public var profile: ProfileID
    public var timeWindow: TimeWindow
    public init(time: PacketTime, uid: FlowUID, client: IPAddress, clientPort: UInt16, server: IPAddress,
                serverPort: UInt16, banner: String, fromServer: Bool, profile: ProfileID, timeWindow: TimeWindow) {
        self.time = time; self.uid = uid; self.client = client; self.clientPort = clientPort
        self.server = server; self.serverPort = serverPort; self.banner = banner; self.fromServer = fromServer
        self.profile = profile; self.timeWindow = timeWindow
    }
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
