import NetCore
import Records
import Capture

/// What `SyntheticTraffic.writeBenchmarkCapture` wrote.
public struct BenchmarkCaptureSummary: Sendable, Hashable, CustomStringConvertible {
    /// Packet records written.
    public var packets = 0
    /// Flows started (after clamping, see `writeBenchmarkCapture`).
    public var flows = 0
    public var tcpFlows = 0
    public var udpFlows = 0
    public var icmpFlows = 0
    public var unansweredSYNFlows = 0
    /// File size in bytes.
    public var fileBytes = 0
    /// Time of the first and last packet.
    public var firstTime = PacketTime.zero
    public var lastTime = PacketTime.zero

    public var description: String {
        "\(packets) packets, \(flows) flows (tcp \(tcpFlows), udp \(udpFlows), icmp \(icmpFlows), "
            + "unanswered syn \(unansweredSYNFlows)), \(fileBytes) bytes, \(firstTime)–\(lastTime)"
    }
}

extension SyntheticTraffic {
    /// Streams a classic pcap (Ethernet, microseconds) of exactly `packets` packets over about `flows` flows to
    /// `path`, fast enough for millions of packets (records are written straight into a 4 MiB buffer that is
    /// flushed with `write(2)`; no per-packet allocation).
    ///
    /// Mix, by flow number modulo 20:
    /// - 16 of 20 (80 %): TCP to port 443, 80, 22, 8080, 25 or 993: SYN (MSS option), SYN-ACK, ACK, data segments
    ///   alternating client/server (PSH-ACK, 32–287 payload bytes), then FIN-ACK, FIN-ACK, ACK (conn_state SF).
    ///   These flows share the packets left by the others, at least 7 each; a flow given fewer than 7 is cut
    ///   short (only when `packets` is tiny).
    /// - 2 of 20 (10 %): UDP to port 53 or 123: a 40-byte request and a 120-byte response.
    /// - 1 of 20 (5 %): ICMP echo request and reply (32-byte payload).
    /// - 1 of 20 (5 %): a single unanswered SYN to a varying port (S0).
    ///
    /// Clients are 4096 hosts in 10.1.0.0/20 with source ports that keep every 5-tuple unique; servers are 1024
    /// hosts in 198.18.0.0/16 (the benchmarking range). Up to `activeFlows` (default 1024) flows are active at once,
    /// their packets interleaved round robin — or, with `randomOrder`, each packet from an active flow drawn at
    /// random (a fixed-seed generator: the same file every time), so consecutive packets touch unrelated flow
    /// slots as on a real link — 5 µs apart (1 µs apart when more than 1024 are active, so a round stays well
    /// under the attempt-report delay up to a few million). `flows` is clamped to 1…`packets / 6`.
    /// Checksums are valid.
    /// - Throws: `FileOutputError` when the file cannot be written.
    @discardableResult
    public static func writeBenchmarkCapture(path: String, packets: Int, flows: Int, activeFlows: Int = 1024,
                                             randomOrder: Bool = false, start: PacketTime = defaultStart)
        throws(FileOutputError) -> BenchmarkCaptureSummary {
        var generator = BenchmarkGenerator(packets: max(packets, 0), flows: flows, window: max(activeFlows, 1),
                                           start: start)
        generator.randomOrder = randomOrder
        let output = try FileOutput(path: path)
        var writer = try BenchmarkBuffer(output: output)
        try writer.writeFileHeader()
        try generator.run(into: &writer)
        try writer.flush()
        try output.close()
        generator.summary.fileBytes = writer.written
        return generator.summary
    }
}

/// A 4 MiB output buffer flushed to a file; records are written into it in place.
struct BenchmarkBuffer: ~Copyable {
    let output: FileOutput
    let storage: UnsafeMutableRawBufferPointer
    var position = 0
    var written = 0

    init(output: FileOutput) throws(FileOutputError) {
        self.output = output
        storage = .allocate(byteCount: 4 << 20, alignment: 16)
    }

    deinit { storage.deallocate() }

    mutating func writeFileHeader() throws(FileOutputError) {
        let header = PcapFileWriter(linkType: .ethernet).bytes
        for byte in header { storage[position] = byte; position += 1 }
    }

    /// Room for one more record of at most 2 KiB.
    mutating func reserve() throws(FileOutputError) {
        if position > storage.count - 2048 { try flush() }
    }

    mutating func flush() throws(FileOutputError) {
        try output.write(UnsafeRawBufferPointer(rebasing: storage[0..<position]))
        written += position
        position = 0
    }
}

/// The state of one generated flow.
struct BenchmarkFlow {
    enum Kind { case tcp, udp, icmp, syn }
    var number: Int
    var kind: Kind
    var total: Int
    var emitted = 0
    var client: UInt32
    var server: UInt32
    var clientPort: UInt16
    var serverPort: UInt16
    var clientSeq: UInt32
    var serverSeq: UInt32
}

/// Generates the benchmark mix (see `SyntheticTraffic.writeBenchmarkCapture`).
struct BenchmarkGenerator {
    let packets: Int
    let flowCount: Int
    let tcpBase: Int
    let tcpRemainder: Int
    var time: PacketTime
    var summary = BenchmarkCaptureSummary()
    /// Flows active at once, and the time between packets (µs).
    let window: Int
    let spacing: Int64
    /// Draw each packet's flow at random among the active ones (xorshift64*, fixed seed) instead of in turn.
    var randomOrder = false
    private var randomState: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let tcpPorts: [UInt16] = [443, 80, 22, 8080, 25, 993]

    init(packets: Int, flows: Int, window: Int, start: PacketTime) {
        self.packets = packets
        self.window = window
        spacing = window > 1024 ? 1 : 5
        flowCount = packets == 0 ? 0 : max(1, min(flows, packets / 6))
        var tcpFlows = 0, fixed = 0
        for number in 0..<flowCount {
            switch Self.kind(of: number) {
            case .tcp: tcpFlows += 1
            case .udp, .icmp: fixed += 2
            case .syn: fixed += 1
            }
        }
        let remaining = max(packets - fixed, 0)
        tcpBase = tcpFlows == 0 ? 0 : remaining / tcpFlows
        tcpRemainder = tcpFlows == 0 ? 0 : remaining % tcpFlows
        time = start
    }

    static func kind(of number: Int) -> BenchmarkFlow.Kind {
        switch number % 20 {
        case 16, 17: .udp
        case 18: .icmp
        case 19: .syn
        default: .tcp
        }
    }

    /// Starts the flow numbered `number`.
    mutating func makeFlow(_ number: Int) -> BenchmarkFlow {
        let kind = Self.kind(of: number)
        let total: Int
        switch kind {
        case .tcp:
            // TCP flows are numbered 0, 1, …, 15, 20, 21, …: their rank among TCP flows.
            let rank = number / 20 * 16 + number % 20
            total = tcpBase + (rank < tcpRemainder ? 1 : 0)
            summary.tcpFlows += 1
        case .udp: total = 2; summary.udpFlows += 1
        case .icmp: total = 2; summary.icmpFlows += 1
        case .syn: total = 1; summary.unansweredSYNFlows += 1
        }
        summary.flows += 1
        let host = UInt32(number % 4096)
        let hash = UInt32(truncatingIfNeeded: number &* 2_654_435_761)
        let serverPort: UInt16 = switch kind {
        case .tcp: Self.tcpPorts[number % Self.tcpPorts.count]
        case .udp: number % 2 == 0 ? 53 : 123
        case .icmp: 0
        case .syn: UInt16(truncatingIfNeeded: hash % 65_000) &+ 1
        }
        return BenchmarkFlow(
            number: number, kind: kind, total: total,
            client: 0x0A01_0000 | host,
            server: 0xC612_0000 | (hash >> 8) % 1024,
            clientPort: UInt16(1024 + (number / 4096) % 64_000), serverPort: serverPort,
            clientSeq: hash, serverSeq: hash ^ 0x5A5A_5A5A)
    }

    mutating func run(into buffer: inout BenchmarkBuffer) throws(FileOutputError) {
        var active: [BenchmarkFlow] = []
        active.reserveCapacity(window)
        var nextFlow = 0
        while active.count < window && nextFlow < flowCount {
            active.append(makeFlow(nextFlow)); nextFlow += 1
        }
        var cursor = 0
        var emitted = 0
        summary.firstTime = time
        while emitted < packets && !active.isEmpty {
            if cursor >= active.count { cursor = 0 }
            try buffer.reserve()
            emit(&active[cursor], into: &buffer)
            emitted += 1
            if active[cursor].emitted >= active[cursor].total {
                if nextFlow < flowCount {
                    active[cursor] = makeFlow(nextFlow); nextFlow += 1
                } else {
                    active.swapAt(cursor, active.count - 1)
                    active.removeLast()
                    continue
                }
            }
            if randomOrder {
                randomState ^= randomState >> 12; randomState ^= randomState << 25; randomState ^= randomState >> 27
                cursor = Int(((randomState &* 0x2545_F491_4F6C_DD1D) >> 11) % UInt64(max(active.count, 1)))
            } else {
                cursor += 1
            }
        }
        summary.packets = emitted
    }

    /// Writes the next packet of `flow`.
    mutating func emit(_ flow: inout BenchmarkFlow, into buffer: inout BenchmarkBuffer) {
        let step = flow.emitted
        flow.emitted += 1
        var writer = RecordWriter(base: buffer.storage.baseAddress! + buffer.position)
        switch flow.kind {
        case .syn:
            writer.tcp(flow, fromClient: true, flags: TCPFlags.syn.rawValue, payload: 0, mss: true)
        case .udp:
            writer.udp(flow, fromClient: step == 0, payload: step == 0 ? 40 : 120)
        case .icmp:
            writer.icmpEcho(flow, reply: step != 0)
        case .tcp:
            writeTCP(&flow, step: step, into: &writer)
        }
        let length = writer.finish(time: time)
        buffer.position += length
        summary.lastTime = time
        time = time + .microseconds(spacing)
    }

    /// The TCP template: SYN, SYN-ACK, ACK, data…, FIN-ACK, FIN-ACK, ACK. Returns whether the client sent it.
    @discardableResult
    func writeTCP(_ flow: inout BenchmarkFlow, step: Int, into writer: inout RecordWriter) -> Bool {
        let dataPackets = max(flow.total - 7, 0)
        let closeStart = 3 + dataPackets
        let syn = TCPFlags.syn.rawValue, ack = TCPFlags.ack.rawValue, fin = TCPFlags.fin.rawValue
        switch step {
        case 0:
            writer.tcp(flow, fromClient: true, flags: syn, payload: 0, mss: true)
            flow.clientSeq &+= 1
            return true
        case 1:
            writer.tcp(flow, fromClient: false, flags: syn | ack, payload: 0, mss: true)
            flow.serverSeq &+= 1
            return false
        case 2:
            writer.tcp(flow, fromClient: true, flags: ack, payload: 0, mss: false)
            return true
        case 3..<closeStart:
            let fromClient = (step - 3) % 2 == 0
            let size = 32 + Int((UInt32(truncatingIfNeeded: flow.number &* 31 &+ step &* 17)) % 256)
            writer.tcp(flow, fromClient: fromClient, flags: TCPFlags.pshAck.rawValue, payload: size, mss: false)
            if fromClient { flow.clientSeq &+= UInt32(size) } else { flow.serverSeq &+= UInt32(size) }
            return fromClient
        default:
            switch step - closeStart {
            case 0:
                writer.tcp(flow, fromClient: true, flags: fin | ack, payload: 0, mss: false)
                flow.clientSeq &+= 1
                return true
            case 1:
                writer.tcp(flow, fromClient: false, flags: fin | ack, payload: 0, mss: false)
                flow.serverSeq &+= 1
                return false
            default:
                writer.tcp(flow, fromClient: true, flags: ack, payload: 0, mss: false)
                return true
            }
        }
    }
}

/// Writes one pcap record (16-byte header, Ethernet, IPv4, transport, payload) at a raw address, computing
/// lengths and checksums in place.
struct RecordWriter {
    let base: UnsafeMutableRawPointer
    /// Bytes of the frame (after the record header).
    var frameLength = 0
    static let frameStart = 16
    static let ipStart = frameStart + 14
    static let transportStart = ipStart + 20

    init(base: UnsafeMutableRawPointer) { self.base = base }

    @inline(__always) func u8(_ value: UInt8, _ offset: Int) { base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self) }
    @inline(__always) func be16(_ value: UInt16, _ offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }
    @inline(__always) func be32(_ value: UInt32, _ offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }
    @inline(__always) func le32(_ value: UInt32, _ offset: Int) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// One's-complement sum of `count` bytes at `offset`.
    func sum(_ offset: Int, _ count: Int, initial: UInt32 = 0) -> UInt32 {
        var total = UInt64(initial)
        var index = 0
        while index + 1 < count {
            total &+= UInt64(UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset + index, as: UInt16.self)))
            index += 2
        }
        if index < count { total &+= UInt64(base.load(fromByteOffset: offset + index, as: UInt8.self)) << 8 }
        while total > 0xFFFF_FFFF { total = (total & 0xFFFF_FFFF) + (total >> 32) }
        return UInt32(total)
    }

    mutating func ethernetAndIP(src: UInt32, dst: UInt32, proto: UInt8, transportLength: Int) {
        let f = Self.frameStart
        // MACs: 02:00 + the IPv4 address of each end.
        be16(0x0200, f); be32(dst, f + 2)
        be16(0x0200, f + 6); be32(src, f + 8)
        be16(0x0800, f + 12)
        let i = Self.ipStart
        u8(0x45, i); u8(0, i + 1); be16(UInt16(20 + transportLength), i + 2)
        be16(UInt16(truncatingIfNeeded: src ^ dst), i + 4); be16(0x4000, i + 6)
        u8(64, i + 8); u8(proto, i + 9); be16(0, i + 10)
        be32(src, i + 12); be32(dst, i + 16)
        be16(InternetChecksum.finish(sum(i, 20)), i + 10)
        frameLength = 14 + 20 + transportLength
    }

    func pseudo(src: UInt32, dst: UInt32, proto: UInt8, length: Int) -> UInt32 {
        (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + UInt32(proto) + UInt32(length)
    }

    func fillPayload(_ offset: Int, _ count: Int, seed: Int) {
        var value = UInt8(truncatingIfNeeded: seed)
        for index in 0..<count { u8(value, offset + index); value &+= 1 }
    }

    mutating func tcp(_ flow: BenchmarkFlow, fromClient: Bool, flags: UInt8, payload: Int, mss: Bool) {
        let src = fromClient ? flow.client : flow.server, dst = fromClient ? flow.server : flow.client
        let headerLength = mss ? 24 : 20
        let length = headerLength + payload
        ethernetAndIP(src: src, dst: dst, proto: 6, transportLength: length)
        let t = Self.transportStart
        be16(fromClient ? flow.clientPort : flow.serverPort, t)
        be16(fromClient ? flow.serverPort : flow.clientPort, t + 2)
        be32(fromClient ? flow.clientSeq : flow.serverSeq, t + 4)
        let hasAck = flags & TCPFlags.ack.rawValue != 0
        be32(hasAck ? (fromClient ? flow.serverSeq : flow.clientSeq) : 0, t + 8)
        u8(UInt8(headerLength / 4) << 4, t + 12); u8(flags, t + 13)
        be16(64_240, t + 14); be16(0, t + 16); be16(0, t + 18)
        if mss { u8(2, t + 20); u8(4, t + 21); be16(1460, t + 22) }
        fillPayload(t + headerLength, payload, seed: flow.number)
        let checksum = InternetChecksum.finish(sum(t, length, initial: pseudo(src: src, dst: dst, proto: 6,
                                                                               length: length)))
        be16(checksum, t + 16)
    }

    mutating func udp(_ flow: BenchmarkFlow, fromClient: Bool, payload: Int) {
        let src = fromClient ? flow.client : flow.server, dst = fromClient ? flow.server : flow.client
        let length = 8 + payload
        ethernetAndIP(src: src, dst: dst, proto: 17, transportLength: length)
        let t = Self.transportStart
        be16(fromClient ? flow.clientPort : flow.serverPort, t)
        be16(fromClient ? flow.serverPort : flow.clientPort, t + 2)
        be16(UInt16(length), t + 4); be16(0, t + 6)
        fillPayload(t + 8, payload, seed: flow.number)
        let checksum = InternetChecksum.finish(sum(t, length, initial: pseudo(src: src, dst: dst, proto: 17,
                                                                               length: length)))
        be16(checksum == 0 ? 0xFFFF : checksum, t + 6)
    }

    mutating func icmpEcho(_ flow: BenchmarkFlow, reply: Bool) {
        let src = reply ? flow.server : flow.client, dst = reply ? flow.client : flow.server
        let length = 8 + 32
        ethernetAndIP(src: src, dst: dst, proto: 1, transportLength: length)
        let t = Self.transportStart
        u8(reply ? 0 : 8, t); u8(0, t + 1); be16(0, t + 2)
        be16(UInt16(truncatingIfNeeded: flow.number), t + 4); be16(1, t + 6)
        fillPayload(t + 8, 32, seed: flow.number)
        be16(InternetChecksum.finish(sum(t, length)), t + 2)
    }

    /// Writes the record header; returns the record's total length.
    func finish(time: PacketTime) -> Int {
        le32(UInt32(truncatingIfNeeded: time.microseconds / 1_000_000), 0)
        le32(UInt32(truncatingIfNeeded: time.microseconds % 1_000_000), 4)
        le32(UInt32(frameLength), 8)
        le32(UInt32(frameLength), 12)
        return Self.frameStart + frameLength
    }
}
