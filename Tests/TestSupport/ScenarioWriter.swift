import Capture
#if canImport(Glibc)
import Glibc
#endif

/// Writes small hand-made scenarios as an Ethernet pcap (microseconds), with valid IPv4/TCP/UDP/ICMP checksums:
/// the demo sample and detector scenarios are built with it. Time only moves forward through `advance`.
public struct ScenarioWriter {
    private var bytes: [UInt8] = []
    /// Current packet time in microseconds.
    public var time: Int64
    /// Packets written so far.
    public private(set) var packets = 0

    /// Starts a capture at `start` (µs since the epoch).
    public init(start: Int64 = 1_700_000_000_000_000) {
        time = start
        put32le(0xA1B2_C3D4); put16le(2); put16le(4); put32le(0); put32le(0); put32le(65535); put32le(1)
    }

    /// Moves time forward.
    public mutating func advance(milliseconds: Double) { time += Int64(milliseconds * 1000) }

    /// The capture file bytes.
    public var data: [UInt8] { bytes }

    /// Writes the capture to `path`.
    public func write(to path: String) throws(CaptureError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CaptureError.system("creating", object: path, errno: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard n > 0 else { throw CaptureError.system("writing", object: path, errno: errno) }
            offset += n
        }
    }

    // MARK: packets

    /// A TCP segment from `src` to `dst`. Flags: FIN 1, SYN 2, RST 4, PSH 8, ACK 16.
    public mutating func tcp(_ src: String, _ sport: UInt16, _ dst: String, _ dport: UInt16, flags: UInt8,
                             seq: UInt32 = 0, ack: UInt32 = 0, payload: [UInt8] = []) {
        var segment: [UInt8] = []
        be16(&segment, sport); be16(&segment, dport); be32(&segment, seq); be32(&segment, ack)
        segment += [0x50, flags]; be16(&segment, 64240); be16(&segment, 0); be16(&segment, 0)
        segment += payload
        ipv4(src, dst, proto: 6, transport: segment, checksumAt: 16)
    }

    /// A UDP datagram.
    public mutating func udp(_ src: String, _ sport: UInt16, _ dst: String, _ dport: UInt16, payload: [UInt8]) {
        var datagram: [UInt8] = []
        be16(&datagram, sport); be16(&datagram, dport); be16(&datagram, UInt16(8 + payload.count)); be16(&datagram, 0)
        datagram += payload
        ipv4(src, dst, proto: 17, transport: datagram, checksumAt: 6)
    }

    /// An ICMP message (echo request 8, reply 0, timestamp 13, address mask 17).
    public mutating func icmp(_ src: String, _ dst: String, type: UInt8, code: UInt8 = 0, payload: [UInt8] = Array(repeating: 0x61, count: 32)) {
        var message: [UInt8] = [type, code, 0, 0, 0x12, 0x34, 0, 1] + payload
        let sum = Self.checksum(message)
        message[2] = UInt8(sum >> 8); message[3] = UInt8(sum & 0xFF)
        ipv4(src, dst, proto: 1, transport: message, checksumAt: nil)
    }

    /// An ARP request (`op` 1) or reply (2), broadcast for requests.
    public mutating func arp(op: UInt16, senderMAC: UInt64, senderIP: String, targetMAC: UInt64 = 0, targetIP: String) {
        var frame: [UInt8] = []
        mac(&frame, op == 1 ? 0xFFFF_FFFF_FFFF : targetMAC); mac(&frame, senderMAC); be16(&frame, 0x0806)
        be16(&frame, 1); be16(&frame, 0x0800); frame += [6, 4]; be16(&frame, op)
        mac(&frame, senderMAC); frame += Self.ipBytes(senderIP); mac(&frame, targetMAC); frame += Self.ipBytes(targetIP)
        while frame.count < 60 { frame.append(0) }
        record(frame)
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

    // MARK: encoding

    private mutating func ipv4(_ src: String, _ dst: String, proto: UInt8, transport: [UInt8], checksumAt: Int?) {
        let s = Self.ipBytes(src), d = Self.ipBytes(dst)
        var payload = transport
        if let at = checksumAt {
            var pseudo = s + d + [0, proto]
            be16(&pseudo, UInt16(payload.count))
            let sum = Self.checksum(pseudo + payload)
            payload[at] = UInt8(sum >> 8); payload[at + 1] = UInt8(sum & 0xFF)
        }
        var header: [UInt8] = [0x45, 0]
        be16(&header, UInt16(20 + payload.count)); be16(&header, UInt16(truncatingIfNeeded: packets)); be16(&header, 0x4000)
        header += [64, proto, 0, 0] + s + d
        let sum = Self.checksum(header)
        header[10] = UInt8(sum >> 8); header[11] = UInt8(sum & 0xFF)
        var frame: [UInt8] = []
        mac(&frame, Self.macFor(dst)); mac(&frame, Self.macFor(src)); be16(&frame, 0x0800)
        frame += header + payload
        while frame.count < 60 { frame.append(0) }
        record(frame)
    }

    private mutating func record(_ frame: [UInt8]) {
        put32le(UInt32(time / 1_000_000)); put32le(UInt32(time % 1_000_000))
        put32le(UInt32(frame.count)); put32le(UInt32(frame.count))
        bytes += frame
        packets += 1
    }

    /// A stable locally administered MAC per IP, so flows carry MAC addresses.
    static func macFor(_ ip: String) -> UInt64 {
        let b = ipBytes(ip)
        return 0x0200_0000_0000 | UInt64(b[0]) << 24 | UInt64(b[1]) << 16 | UInt64(b[2]) << 8 | UInt64(b[3])
    }

    static func ipBytes(_ text: String) -> [UInt8] {
        guard let ip = IPAddress(text), ip.isIPv4 else { preconditionFailure("not an IPv4 address: \(text)") }
        let v = ip.ipv4Value
        return [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static func checksum(_ data: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < data.count { sum += UInt32(data[i]) << 8 | UInt32(data[i + 1]); i += 2 }
        if i < data.count { sum += UInt32(data[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    private func be16(_ a: inout [UInt8], _ v: UInt16) { a.append(UInt8(v >> 8)); a.append(UInt8(v & 0xFF)) }
    private func be32(_ a: inout [UInt8], _ v: UInt32) { be16(&a, UInt16(v >> 16)); be16(&a, UInt16(v & 0xFFFF)) }
    private func mac(_ a: inout [UInt8], _ v: UInt64) { for i in (0..<6).reversed() { a.append(UInt8((v >> (UInt64(i) * 8)) & 0xFF)) } }
    private mutating func put16le(_ v: UInt16) { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
    private mutating func put32le(_ v: UInt32) { put16le(UInt16(v & 0xFFFF)); put16le(UInt16(v >> 16)) }
}
