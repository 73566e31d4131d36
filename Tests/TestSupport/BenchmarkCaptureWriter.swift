#if canImport(Glibc)
import Glibc
#endif

/// Streams a large synthetic Ethernet/IPv4 capture for `make bench`, fast (straight into a byte buffer, written
/// in 8 MB chunks). Checksums are left zero: slipsd never verifies them.
///
/// Mix, by flow: 70 % TCP (SYN, SYN-ACK, ACK, 2 data packets each way, FIN, FIN-ACK, ACK = 10 packets),
/// 20 % UDP request/response (2), 5 % ICMP echo/reply (2), 5 % unanswered SYN (1). 4,000 flows are in progress
/// at any moment, interleaved packet by packet; packets are 10 µs apart.
public struct BenchmarkCaptureWriter {
    private var buffer: [UInt8] = []
    private let fd: Int32
    /// Packets written so far.
    public private(set) var packets = 0
    private var time: Int64 = 1_700_000_000_000_000

    /// Creates (truncates) `path` and writes the pcap file header (Ethernet, microseconds).
    public init(path: String) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(path)")
        buffer.reserveCapacity(9 << 20)
        append32(0xA1B2_C3D4); append16(2); append16(4); append32(0); append32(0); append32(65535); append32(1)
    }

    /// One flow's packets, as closures of (from originator?, kind).
    enum Step { case syn, synAck, ack, lastAck, data(Int), fin, finAck, udpRequest, udpResponse, echo, echoReply }

    static func steps(forFlow index: Int) -> [(Bool, Step)] {
        switch index % 20 {
        case 0..<14:
            return [(true, .syn), (false, .synAck), (true, .ack), (true, .data(200)), (false, .data(1200)),
                    (true, .data(100)), (false, .data(800)), (true, .fin), (false, .finAck), (true, .lastAck)]
        case 14..<18: return [(true, .udpRequest), (false, .udpResponse)]
        case 18: return [(true, .echo), (false, .echoReply)]
        default: return [(true, .syn)]
        }
    }

    /// Writes at least `packetTarget` packets over at least `flowTarget` flows.
    public mutating func write(packets packetTarget: Int, flows flowTarget: Int) -> (packets: Int, flows: Int) {
        let concurrent = 4000
        var active: [(flow: Int, step: Int, steps: [(Bool, Step)])] = []
        var nextFlow = 0
        for _ in 0..<concurrent {
            active.append((nextFlow, 0, Self.steps(forFlow: nextFlow))); nextFlow += 1
        }
        var slot = 0
        while packets < packetTarget || nextFlow < flowTarget {
            var entry = active[slot]
            let (fromOriginator, step) = entry.steps[entry.step]
            emit(flow: entry.flow, fromOriginator: fromOriginator, step: step)
            entry.step += 1
            if entry.step == entry.steps.count {
                entry = (nextFlow, 0, Self.steps(forFlow: nextFlow)); nextFlow += 1
            }
            active[slot] = entry
            slot = (slot + 1) % concurrent
        }
        flush()
        close(fd)
        return (packets, nextFlow)
    }

    private mutating func emit(flow: Int, fromOriginator: Bool, step: Step) {
        time += 10
        let client: UInt32 = 0x0A00_0000 | UInt32(flow % 50_000)              // 10.0.x.x clients
        let server: UInt32 = 0xC633_6400 | UInt32((flow / 7) % 250)          // 198.51.100.x servers
        let clientPort = UInt16(1024 + (flow / 50_000) % 60_000)
        let serverPort: UInt16 = [80, 443, 53, 22, 8080][flow % 5]
        let (src, dst) = fromOriginator ? (client, server) : (server, client)
        let (sport, dport) = fromOriginator ? (clientPort, serverPort) : (serverPort, clientPort)
        let isn: UInt32 = fromOriginator ? 1000 : 5000
        switch step {
        case .syn: tcp(src, dst, sport, dport, seq: isn, ack: 0, flags: 0x02, payload: 0)
        case .synAck: tcp(src, dst, sport, dport, seq: isn, ack: 1001, flags: 0x12, payload: 0)
        case .ack: tcp(src, dst, sport, dport, seq: 1001, ack: 5001, flags: 0x10, payload: 0)
        case .lastAck: tcp(src, dst, sport, dport, seq: 1302, ack: 7002, flags: 0x10, payload: 0)
        case .data(let n):
            let offset: UInt32 = fromOriginator ? (n == 200 ? 0 : 200) : (n == 1200 ? 0 : 1200)
            tcp(src, dst, sport, dport, seq: isn + 1 + offset, ack: fromOriginator ? 5001 : 1001, flags: 0x18, payload: n)
        case .fin: tcp(src, dst, sport, dport, seq: 1301, ack: 7001, flags: 0x11, payload: 0)
        case .finAck: tcp(src, dst, sport, dport, seq: 7001, ack: 1302, flags: 0x11, payload: 0)
        case .udpRequest: udp(src, dst, sport, dport, payload: 40)
        case .udpResponse: udp(src, dst, sport, dport, payload: 120)
        case .echo: icmp(src, dst, type: 8, payload: 56)
        case .echoReply: icmp(src, dst, type: 0, payload: 56)
        }
    }

    private mutating func record(ipPayload: Int, build: (inout BenchmarkCaptureWriter) -> Void) {
        let length = 14 + 20 + ipPayload
        append32(UInt32(time / 1_000_000)); append32(UInt32(time % 1_000_000))
        append32(UInt32(length)); append32(UInt32(length))
        // Ethernet: dst, src, IPv4
        append16(0x0200); append32(0x0000_0001); append16(0x0200); append32(0x0000_0002); append16(0x0800)
        build(&self)
        packets += 1
        if buffer.count >= 8 << 20 { flush() }
    }

    private mutating func ipv4(_ src: UInt32, _ dst: UInt32, proto: UInt8, payload: Int) {
        append8(0x45); append8(0); append16(UInt16(20 + payload)); append16(0); append16(0x4000)
        append8(64); append8(proto); append16(0); append32(src); append32(dst)
    }

    private mutating func tcp(_ s: UInt32, _ d: UInt32, _ sp: UInt16, _ dp: UInt16, seq: UInt32, ack: UInt32,
                              flags: UInt8, payload: Int) {
        record(ipPayload: 20 + payload) { w in
            w.ipv4(s, d, proto: 6, payload: 20 + payload)
            w.append16(sp); w.append16(dp); w.append32(seq); w.append32(ack)
            w.append8(0x50); w.append8(flags); w.append16(65535); w.append16(0); w.append16(0)
            w.zeros(payload)
        }
    }

    private mutating func udp(_ s: UInt32, _ d: UInt32, _ sp: UInt16, _ dp: UInt16, payload: Int) {
        record(ipPayload: 8 + payload) { w in
            w.ipv4(s, d, proto: 17, payload: 8 + payload)
            w.append16(sp); w.append16(dp); w.append16(UInt16(8 + payload)); w.append16(0)
            w.zeros(payload)
        }
    }

    private mutating func icmp(_ s: UInt32, _ d: UInt32, type: UInt8, payload: Int) {
        record(ipPayload: 8 + payload) { w in
            w.ipv4(s, d, proto: 1, payload: 8 + payload)
            w.append8(type); w.append8(0); w.append16(0); w.append16(0x1234); w.append16(1)
            w.zeros(payload)
        }
    }

    private mutating func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            precondition(n > 0, "write failed")
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func append8(_ v: UInt8) { buffer.append(v) }
    private mutating func append16(_ v: UInt16) { buffer.append(UInt8(v >> 8)); buffer.append(UInt8(v & 0xFF)) }
    private mutating func append32(_ v: UInt32) { append16(UInt16(v >> 16)); append16(UInt16(v & 0xFFFF)) }
    private mutating func zeros(_ n: Int) { buffer.append(contentsOf: repeatElement(0, count: n)) }
}
