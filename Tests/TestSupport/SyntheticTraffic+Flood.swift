import NetCore
import Records
import Capture

/// What `SyntheticTraffic.writeFloodCapture` wrote.
public struct FloodCaptureSummary: Sendable, Hashable, CustomStringConvertible {
    /// Packet records written.
    public var packets = 0
    /// Forged SYNs, each from a source no other packet uses.
    public var floodSources = 0
    /// SYNs of the real scan (one per port).
    public var scanProbes = 0
    /// File size in bytes.
    public var fileBytes = 0

    public var description: String {
        "\(packets) packets: \(floodSources) forged SYNs from distinct sources, \(scanProbes) scan probes, "
            + "\(fileBytes) bytes"
    }
}

extension SyntheticTraffic {
    /// The real scanner of `writeFloodCapture`.
    public static let floodScanner = "10.1.0.1"
    /// The host it scans.
    public static let floodScanTarget = "198.18.0.1"

    /// Streams a classic pcap (Ethernet, microseconds) of a blinding attack to `path`: `floodBefore` single SYNs
    /// from distinct pseudo-random sources to random hosts of 198.18.0.0/16 and random ports, then a vertical SYN
    /// scan of `scanPorts` ports (1, 2, …) of `floodScanTarget` from `floodScanner`, each probe followed by
    /// `floodPerProbe` more forged SYNs. Packets are 2 µs apart; nothing answers. Sources are a bijection of the
    /// packet number over the 32-bit space (odd multiplier), skipping 0/8, 10/8, 127/8 and 224/3, so up to about
    /// 3.6 billion are distinct. No per-packet allocation (the benchmark writer).
    /// - Throws: `FileOutputError` when the file cannot be written.
    @discardableResult
    public static func writeFloodCapture(path: String, floodBefore: Int, scanPorts: Int, floodPerProbe: Int = 0,
                                         start: PacketTime = defaultStart) throws(FileOutputError)
        -> FloodCaptureSummary {
        let output = try FileOutput(path: path)
        var buffer = try BenchmarkBuffer(output: output)
        try buffer.writeFileHeader()
        var flood = FloodGenerator(time: start)
        for _ in 0..<max(floodBefore, 0) { try flood.forged(into: &buffer) }
        let scanner = IPAddress(floodScanner)?.ipv4Value ?? 0
        let target = IPAddress(floodScanTarget)?.ipv4Value ?? 0
        for port in 0..<max(scanPorts, 0) {
            try flood.syn(from: scanner, port: 40_000, to: target, port: UInt16(truncatingIfNeeded: port + 1),
                          into: &buffer)
            flood.summary.scanProbes += 1
            for _ in 0..<max(floodPerProbe, 0) { try flood.forged(into: &buffer) }
        }
        try buffer.flush()
        try output.close()
        flood.summary.fileBytes = buffer.written
        return flood.summary
    }
}

/// Writes the packets of `SyntheticTraffic.writeFloodCapture`.
struct FloodGenerator {
    var time: PacketTime
    var summary = FloodCaptureSummary()
    private var counter: UInt32 = 0

    init(time: PacketTime) { self.time = time }

    /// The next source address: never the same twice, never in the reserved ranges.
    mutating func nextSource() -> UInt32 {
        while true {
            counter &+= 1
            let value = counter &* 2_654_435_761
            let first = value >> 24
            if first == 0 || first == 10 || first == 127 || first >= 224 { continue }
            return value
        }
    }

    mutating func forged(into buffer: inout BenchmarkBuffer) throws(FileOutputError) {
        let source = nextSource()
        let hash = source &* 0x9E37_79B9
        try syn(from: source, port: UInt16(truncatingIfNeeded: 1024 + hash % 60_000),
                to: 0xC612_0000 | (hash >> 16), port: UInt16(truncatingIfNeeded: 1 + (hash >> 8) % 65_535),
                into: &buffer)
        summary.floodSources += 1
    }

    mutating func syn(from source: UInt32, port sourcePort: UInt16, to destination: UInt32, port: UInt16,
                      into buffer: inout BenchmarkBuffer) throws(FileOutputError) {
        try buffer.reserve()
        let flow = BenchmarkFlow(number: Int(summary.packets), kind: .syn, total: 1, client: source,
                                 server: destination, clientPort: sourcePort, serverPort: port,
                                 clientSeq: source ^ 0x5A5A_5A5A, serverSeq: 0)
        var writer = RecordWriter(base: buffer.storage.baseAddress! + buffer.position)
        writer.tcp(flow, fromClient: true, flags: TCPFlags.syn.rawValue, payload: 0, mss: true)
        buffer.position += writer.finish(time: time)
        summary.packets += 1
        time = time + .microseconds(2)
    }
}
