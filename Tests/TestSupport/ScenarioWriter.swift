import NetCore
import Records
import Capture

/// Writes small hand-made scenarios in time order: a clock and a few conversation helpers on top of
/// `PacketBuilder` (frames, valid checksums) and `PcapFileWriter` (Ethernet pcap, microseconds). The demo sample
/// is built with it.
public struct ScenarioWriter {
    private var pcap = PcapFileWriter(linkType: .ethernet, format: .microseconds)
    /// Current packet time in microseconds.
    public var time: Int64
    /// Packets written so far.
    public var packets: Int { pcap.recordCount }

    /// Starts a capture at `start` (µs since the epoch).
    public init(start: Int64 = 1_700_000_000_000_000) { time = start }

    /// Moves time forward.
    public mutating func advance(milliseconds: Double) { time += Int64(milliseconds * 1000) }

    /// The capture file bytes.
    public var data: [UInt8] { pcap.bytes }

    /// Writes the capture to `path`.
    public func write(to path: String) throws(FileOutputError) { try pcap.write(to: path) }

    private mutating func record(_ frame: [UInt8]) { pcap.append(frame, time: PacketTime(microseconds: time)) }

    // MARK: packets

    /// A TCP segment from `src` to `dst`. Flags: FIN 1, SYN 2, RST 4, PSH 8, ACK 16.
    public mutating func tcp(_ src: String, _ sport: UInt16, _ dst: String, _ dport: UInt16, flags: UInt8,
                             seq: UInt32 = 0, ack: UInt32 = 0, payload: [UInt8] = []) {
        record(PacketBuilder.tcp(src: src, sport: sport, dst: dst, dport: dport, flags: TCPFlags(rawValue: flags),
                                 seq: seq, ack: ack, payload: payload))
    }

    /// A UDP datagram.
    public mutating func udp(_ src: String, _ sport: UInt16, _ dst: String, _ dport: UInt16, payload: [UInt8]) {
        record(PacketBuilder.udp(src: src, sport: sport, dst: dst, dport: dport, payload: payload))
    }

    /// An ICMP message (echo request 8, reply 0, timestamp 13, address mask 17).
    public mutating func icmp(_ src: String, _ dst: String, type: UInt8, code: UInt8 = 0,
                              payload: [UInt8] = Array(repeating: 0x61, count: 32)) {
        record(PacketBuilder.icmp(src: src, dst: dst, type: type, code: code, payload: payload))
    }

    /// A broadcast ARP request.
    public mutating func arpRequest(senderMAC: UInt64, senderIP: String, targetIP: String) {
        record(PacketBuilder.arpRequest(senderIP: senderIP, senderMAC: MACAddress(senderMAC), targetIP: targetIP))
    }

    /// A full TCP connection: handshake, the given payloads (client first, then server), FIN both ways.
    public mutating func tcpSession(_ client: String, _ cport: UInt16, _ server: String, _ sport: UInt16,
                                    clientData: [UInt8], serverData: [UInt8], gapMilliseconds: Double = 2) {
        var c: UInt32 = 1000, s: UInt32 = 9000
        tcp(client, cport, server, sport, flags: 0x02, seq: c); advance(milliseconds: gapMilliseconds)
        tcp(server, sport, client, cport, flags: 0x12, seq: s, ack: c + 1); advance(milliseconds: gapMilliseconds)
        c += 1; s += 1
        tcp(client, cport, server, sport, flags: 0x10, seq: c, ack: s); advance(milliseconds: gapMilliseconds)
        if !serverData.isEmpty {
            tcp(server, sport, client, cport, flags: 0x18, seq: s, ack: c, payload: serverData); s += UInt32(serverData.count)
            advance(milliseconds: gapMilliseconds)
        }
        if !clientData.isEmpty {
            tcp(client, cport, server, sport, flags: 0x18, seq: c, ack: s, payload: clientData); c += UInt32(clientData.count)
            advance(milliseconds: gapMilliseconds)
        }
        tcp(client, cport, server, sport, flags: 0x11, seq: c, ack: s); advance(milliseconds: gapMilliseconds)
        tcp(server, sport, client, cport, flags: 0x11, seq: s, ack: c + 1); advance(milliseconds: gapMilliseconds)
        tcp(client, cport, server, sport, flags: 0x10, seq: c + 1, ack: s + 1); advance(milliseconds: gapMilliseconds)
    }
}
