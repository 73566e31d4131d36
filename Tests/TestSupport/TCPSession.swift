import NetCore
import Records
import Capture

/// Builds one TCP conversation packet by packet with consistent sequence and acknowledgement numbers, advancing
/// time by `interval` per packet. Scenario generators use it; tests can script odd conversations with it
/// (retransmissions, half-closes, RST in the middle).
///
/// ```
/// var session = TCPSession(client: "10.0.0.1", clientPort: 40000, server: "10.0.0.2", serverPort: 80)
/// session.handshake()
/// session.client([.psh, .ack], payload: Array("GET / HTTP/1.1\r\n\r\n".utf8))
/// session.server(.ack)
/// let packets = session.packets
/// ```
public struct TCPSession: Sendable {
    /// Which end sends.
    public enum Side: Sendable, Hashable { case client, server }

    public let client: String
    public let clientPort: UInt16
    public let server: String
    public let serverPort: UInt16
    /// Framing of every packet.
    public var link: LinkType
    /// VLAN tags of every packet.
    public var vlan: [UInt16]
    /// Time of the next packet.
    public var time: PacketTime
    /// Microseconds between packets.
    public var interval: Int64
    /// Next sequence number each side sends.
    public var clientNext: UInt32
    public var serverNext: UInt32
    /// The packets so far.
    public private(set) var packets: [TimedPacket] = []

    /// Starts a conversation; nothing is sent yet.
    public init(client: String, clientPort: UInt16, server: String, serverPort: UInt16,
                start: PacketTime = SyntheticTraffic.defaultStart, interval: Int64 = 1_000,
                link: LinkType = .ethernet, vlan: [UInt16] = [], clientISN: UInt32 = 1_000_000,
                serverISN: UInt32 = 5_000_000) {
        self.client = client
        self.clientPort = clientPort
        self.server = server
        self.serverPort = serverPort
        self.link = link
        self.vlan = vlan
        self.time = start
        self.interval = interval
        self.clientNext = clientISN
        self.serverNext = serverISN
    }

    /// Sends one segment from `side`. Its sequence number is that side's next one; the acknowledgement is the
    /// other side's next one when ACK is set (else 0). SYN and FIN count one sequence number each.
    public mutating func send(_ side: Side, _ flags: TCPFlags, payload: [UInt8] = [], options: [TCPOption] = [],
                              window: UInt16 = 64240) {
        let fromClient = side == .client
        let seq = fromClient ? clientNext : serverNext
        let ack = flags.contains(.ack) ? (fromClient ? serverNext : clientNext) : 0
        let frame = PacketBuilder.tcp(
            src: fromClient ? client : server, sport: fromClient ? clientPort : serverPort,
            dst: fromClient ? server : client, dport: fromClient ? serverPort : clientPort,
            flags: flags, seq: seq, ack: ack, window: window, options: options, payload: payload,
            vlan: vlan, link: link)
        packets.append(TimedPacket(time: time, bytes: frame, linkType: link))
        time = time + .microseconds(interval)
        let advance = UInt32(payload.count) &+ (flags.contains(.syn) ? 1 : 0) &+ (flags.contains(.fin) ? 1 : 0)
        if fromClient { clientNext &+= advance } else { serverNext &+= advance }
    }

    /// Sends one segment from the client.
    public mutating func client(_ flags: TCPFlags, payload: [UInt8] = [], options: [TCPOption] = []) {
        send(.client, flags, payload: payload, options: options)
    }

    /// Sends one segment from the server.
    public mutating func server(_ flags: TCPFlags, payload: [UInt8] = [], options: [TCPOption] = []) {
        send(.server, flags, payload: payload, options: options)
    }

    /// Lets `microseconds` pass before the next packet.
    public mutating func wait(microseconds: Int64) {
        time = time + .microseconds(microseconds)
    }

    /// SYN (Linux options), SYN-ACK, ACK.
    public mutating func handshake() {
        client(.syn, options: TCPOption.linuxSYN)
        server(.synAck, options: [.mss(1460), .sackPermitted, .nop, .windowScale(7)])
        client(.ack)
    }

    /// Sends `data` from `side` in segments of at most `segmentSize` bytes (PSH-ACK), each acknowledged by the
    /// other side.
    public mutating func transfer(_ side: Side, _ data: [UInt8], segmentSize: Int = 1448) {
        var offset = 0
        while offset < data.count {
            let end = min(offset + segmentSize, data.count)
            send(side, .pshAck, payload: Array(data[offset..<end]))
            send(side == .client ? .server : .client, .ack)
            offset = end
        }
    }

    /// FIN-ACK from `side`, FIN-ACK from the other, final ACK from `side`.
    public mutating func finClose(by side: Side = .client) {
        let other: Side = side == .client ? .server : .client
        send(side, .finAck)
        send(other, .finAck)
        send(side, .ack)
    }
}
