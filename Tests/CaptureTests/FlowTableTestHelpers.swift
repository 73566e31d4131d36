import NetCore
import Records
import Capture

/// Collects every record a flow table emits.
final class FlowRecordingSink: ConnRecordSink {
    var records: [ConnRecord] = []

    func flowRecordReady(_ record: ConnRecord) { records.append(record) }

    /// Records other than interim reports.
    var finals: [ConnRecord] { records.filter { $0.reason != .interim } }
    /// Interim reports only.
    var interims: [ConnRecord] { records.filter { $0.reason == .interim } }
}

/// Base time of the synthetic packets: 2023-11-14T22:13:20Z, in µs.
let flowTestEpoch: Int64 = 1_700_000_000_000_000

/// Packet time `seconds` after `flowTestEpoch`.
func flowTime(_ seconds: Double) -> PacketTime {
    PacketTime(microseconds: flowTestEpoch + Int64((seconds * 1_000_000).rounded()))
}

/// Builds `DecodedPacket` values as the decoder would fill them, without any bytes.
enum FlowTestPacket {
    static func ip(_ text: String) -> IPAddress {
        guard let address = IPAddress(text) else { fatalError("bad test address \(text)") }
        return address
    }

    /// An IP packet skeleton: addresses, family, protocol, lengths, VLANs and MACs.
    static func base(time: PacketTime, from source: String, to destination: String, ipProtocol: UInt8,
                     transportHeader: Int32, payload: Int32, vlan: UInt16, innerVLAN: UInt16,
                     srcMAC: MACAddress, dstMAC: MACAddress) -> DecodedPacket {
        var packet = DecodedPacket()
        packet.time = time
        packet.srcIP = ip(source)
        packet.dstIP = ip(destination)
        let isV6 = !packet.srcIP.isIPv4
        packet.network = isV6 ? .ipv6 : .ipv4
        packet.ipProtocol = ipProtocol
        packet.ttl = 64
        packet.ipLength = (isV6 ? 40 : 20) + transportHeader + payload
        packet.wireLength = packet.ipLength + 14
        packet.capturedLength = packet.wireLength
        packet.networkOffset = 14
        packet.payloadOffset = 14 + (isV6 ? 40 : 20) + transportHeader
        packet.payloadLength = payload
        packet.payloadCaptured = payload
        packet.outerVLAN = vlan
        packet.innerVLAN = innerVLAN
        packet.srcMAC = srcMAC
        packet.dstMAC = dstMAC
        packet.hasTransport = true
        return packet
    }

    static func tcp(_ time: PacketTime, _ source: String, _ sourcePort: UInt16, _ destination: String,
                    _ destinationPort: UInt16, flags: FlowTCPFlags, seq: UInt32 = 1000, ack: UInt32 = 0,
                    payload: Int32 = 0, window: UInt16 = 64_240, vlan: UInt16 = 0, innerVLAN: UInt16 = 0,
                    srcMAC: MACAddress = .zero, dstMAC: MACAddress = .zero) -> DecodedPacket {
        var packet = base(time: time, from: source, to: destination, ipProtocol: IPProtocolNumber.tcp,
                          transportHeader: 20, payload: payload, vlan: vlan, innerVLAN: innerVLAN,
                          srcMAC: srcMAC, dstMAC: dstMAC)
        packet.srcPort = sourcePort
        packet.dstPort = destinationPort
        packet.tcpFlags = flags.rawValue
        packet.tcpSeq = seq
        packet.tcpAck = ack
        packet.tcpWindow = window
        return packet
    }

    static func udp(_ time: PacketTime, _ source: String, _ sourcePort: UInt16, _ destination: String,
                    _ destinationPort: UInt16, payload: Int32 = 32, vlan: UInt16 = 0) -> DecodedPacket {
        var packet = base(time: time, from: source, to: destination, ipProtocol: IPProtocolNumber.udp,
                          transportHeader: 8, payload: payload, vlan: vlan, innerVLAN: 0,
                          srcMAC: .zero, dstMAC: .zero)
        packet.srcPort = sourcePort
        packet.dstPort = destinationPort
        return packet
    }

    static func icmp(_ time: PacketTime, _ source: String, _ destination: String, type: UInt8, code: UInt8 = 0,
                     payload: Int32 = 56) -> DecodedPacket {
        let isV6 = !ip(source).isIPv4
        var packet = base(time: time, from: source, to: destination,
                          ipProtocol: isV6 ? IPProtocolNumber.icmpv6 : IPProtocolNumber.icmp,
                          transportHeader: 8, payload: payload, vlan: 0, innerVLAN: 0, srcMAC: .zero, dstMAC: .zero)
        packet.icmpType = type
        packet.icmpCode = code
        packet.srcPort = UInt16(type)
        packet.dstPort = UInt16(code)
        return packet
    }
}

/// TCP flags for the test scripts (`.syn`, `.synAck`, `[.fin, .rst]`, …).
struct FlowTCPFlags: OptionSet {
    let rawValue: UInt8
    static let fin = FlowTCPFlags(rawValue: TCPFlag.fin)
    static let syn = FlowTCPFlags(rawValue: TCPFlag.syn)
    static let rst = FlowTCPFlags(rawValue: TCPFlag.rst)
    static let psh = FlowTCPFlags(rawValue: TCPFlag.psh)
    static let ack = FlowTCPFlags(rawValue: TCPFlag.ack)
    static let synAck: FlowTCPFlags = [.syn, .ack]
    static let pshAck: FlowTCPFlags = [.psh, .ack]
    static let finAck: FlowTCPFlags = [.fin, .ack]
    static let rstAck: FlowTCPFlags = [.rst, .ack]
}

/// A TCP conversation between a client and a server that keeps both sides' sequence numbers right: each segment
/// advances its sender's next sequence number by its payload plus one for SYN and FIN, and acknowledges the peer.
struct TCPScript {
    var client = "10.0.0.1"
    var clientPort: UInt16 = 40_000
    var server = "192.0.2.80"
    var serverPort: UInt16 = 80
    var clientSeq: UInt32 = 1_000
    var serverSeq: UInt32 = 50_000
    /// Seconds after `flowTestEpoch` of the next segment.
    var time: Double = 0
    /// Seconds between segments.
    var step: Double = 0.01
    var vlan: UInt16 = 0
    var clientMAC = MACAddress(0x02_00_00_00_00_01)
    var serverMAC = MACAddress(0x02_00_00_00_00_02)

    /// The next segment from the client.
    mutating func c(_ flags: FlowTCPFlags, payload: Int32 = 0) -> DecodedPacket {
        let packet = FlowTestPacket.tcp(flowTime(time), client, clientPort, server, serverPort, flags: flags, seq: clientSeq,
                                    ack: serverSeq, payload: payload, vlan: vlan, srcMAC: clientMAC,
                                    dstMAC: serverMAC)
        clientSeq &+= UInt32(payload) &+ (flags.contains(.syn) ? 1 : 0) &+ (flags.contains(.fin) ? 1 : 0)
        time += step
        return packet
    }

    /// The next segment from the server.
    mutating func s(_ flags: FlowTCPFlags, payload: Int32 = 0) -> DecodedPacket {
        let packet = FlowTestPacket.tcp(flowTime(time), server, serverPort, client, clientPort, flags: flags, seq: serverSeq,
                                    ack: clientSeq, payload: payload, vlan: vlan, srcMAC: serverMAC,
                                    dstMAC: clientMAC)
        serverSeq &+= UInt32(payload) &+ (flags.contains(.syn) ? 1 : 0) &+ (flags.contains(.fin) ? 1 : 0)
        time += step
        return packet
    }
}

/// A table with a fixed seed and a recording sink.
func makeFlowTable(_ configuration: FlowTableConfiguration = FlowTableConfiguration(maxFlows: 1_024),
               seed: UInt64 = 42) -> (FlowTable, FlowRecordingSink) {
    let sink = FlowRecordingSink()
    return (FlowTable(configuration: configuration, sink: sink, seed: seed), sink)
}

/// Runs the packets through a fresh table, flushes it and returns the single flow's record.
func singleFlow(_ packets: [DecodedPacket]) -> ConnRecord? {
    let (table, sink) = makeFlowTable()
    for packet in packets { table.process(packet) }
    table.flushAll()
    let finals = sink.finals
    return finals.count == 1 ? finals[0] : nil
}
