import Capture

/// What the packet thread hands to the detection thread: rare events (flows, ARP packets, SSH banners) and the
/// passage of packet time. Values only; nothing points into capture buffers.
public enum DetectionEvent: Sendable {
    /// A flow record (final or interim) from the flow table.
    case flow(FlowRecord)
    /// An ARP packet.
    case arp(ARPObservation)
    /// An SSH identification string seen in a TCP payload.
    case ssh(SSHObservation)
    /// Packet time has reached this point (sent at least every 100 ms of packet time, and when idle).
    case tick(PacketTime)
}

/// An ARP packet as seen on the wire.
public struct ARPObservation: Sendable, Hashable {
    public var time: PacketTime
    public var operation: UInt16
    public var senderMAC: MACAddress
    public var senderIP: IPAddress
    public var targetMAC: MACAddress
    public var targetIP: IPAddress
    public var destinationMAC: MACAddress
    public init(time: PacketTime, operation: UInt16, senderMAC: MACAddress, senderIP: IPAddress,
                targetMAC: MACAddress, targetIP: IPAddress, destinationMAC: MACAddress) {
        self.time = time; self.operation = operation; self.senderMAC = senderMAC; self.senderIP = senderIP
        self.targetMAC = targetMAC; self.targetIP = targetIP; self.destinationMAC = destinationMAC
    }
}

/// An SSH banner (`SSH-2.0-…`) at the start of a TCP payload, with the flow it belongs to.
public struct SSHObservation: Sendable, Hashable {
    public var time: PacketTime
    public var uid: FlowUID
    public var client: IPAddress
    public var clientPort: UInt16
    public var server: IPAddress
    public var serverPort: UInt16
    public var banner: String
    public var fromServer: Bool
    public init(time: PacketTime, uid: FlowUID, client: IPAddress, clientPort: UInt16, server: IPAddress,
                serverPort: UInt16, banner: String, fromServer: Bool) {
        self.time = time; self.uid = uid; self.client = client; self.clientPort = clientPort
        self.server = server; self.serverPort = serverPort; self.banner = banner; self.fromServer = fromServer
    }
}
