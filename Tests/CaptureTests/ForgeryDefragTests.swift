import Capture
import NetCore
import Records
import Testing
import TestSupport

/// IP fragments: flows are the same whether packets arrive whole or fragmented; the reassembly table resolves
/// overlaps one way, times out, and stays within its memory cap under a flood.
@Suite("Forgery: fragment reassembly")
struct ForgeryDefragTests {
    static let epoch: Int64 = 1_700_000_000_000_000

    /// A frame with its packet time (µs after `epoch`).
    struct Timed {
        var frame: [UInt8]
        var time: Int64
    }

    /// Runs frames through a pipeline; returns its conn records and the pipeline.
    func run(_ frames: [Timed], defrag: DefragConfiguration = DefragConfiguration()) throws
        -> (conns: [ConnRecord], pipeline: PacketPipeline) {
        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let pipeline = try PacketPipeline(flowConfiguration: FlowTableConfiguration(maxFlows: 4_096), handoff: handoff,
                                          flushEagerly: false, defrag: defrag)
        for timed in frames {
            _ = timed.frame.withUnsafeBytes {
                pipeline.handlePacket($0, wireLength: timed.frame.count,
                                      time: PacketTime(microseconds: Self.epoch + timed.time), linkType: .ethernet)
            }
        }
        pipeline.finish()
        handoff.finish()
        var conns: [ConnRecord] = []
        var batch: [RecordEvent] = []
        while handoff.take(into: &batch) {
            for case .record(.conn(let record)) in batch { conns.append(record) }
            batch.removeAll(keepingCapacity: true)
        }
        return (conns, pipeline)
    }

    /// A conn record without its uid, for comparing runs.
    struct Shape: Hashable {
        var record: ConnRecord
        init(_ record: ConnRecord) {
            var r = record
            r.uid = FlowUID(0)
            self.record = r
        }
    }

    func synSegment(_ src: String, _ dst: String, port: UInt16) -> [UInt8] {
        PacketBuilder.tcpSegment(src: PacketBuilder.address(src), dst: PacketBuilder.address(dst), sport: 40_000,
                                 dport: port, flags: .syn, seq: 1_000 + UInt32(port), ack: 0)
    }

    /// A SYN scan of `ports`, each SYN whole or split into an 8-byte first fragment and the rest.
    func scan(fragmented: Bool, ports: ClosedRange<UInt16> = 1...200, src: String = "198.51.100.66",
              dst: String = "10.0.0.80") -> [Timed] {
        var frames: [Timed] = []
        for port in ports {
            let time = Int64(port) * 1_000
            if fragmented {
                let segment = synSegment(src, dst, port: port)
                let pieces = [PacketBuilder.FragmentPiece(offset: 0, length: 8),
                              PacketBuilder.FragmentPiece(offset: 8, length: segment.count - 8)]
                for frame in PacketBuilder.fragments(src: src, dst: dst, protocolNumber: 6, transport: segment,
                                                     pieces: pieces, ip: IPFields(identification: port)) {
                    frames.append(Timed(frame: frame, time: time))
                }
            } else {
                frames.append(Timed(frame: PacketBuilder.tcp(src: src, sport: 40_000, dst: dst, dport: port,
                                                             flags: .syn, seq: 1_000 + UInt32(port)),
                                    time: time))
            }
        }
        return frames
    }

    @Test("a SYN scan split into 8-byte first fragments gives the same flows as the whole scan")
    func fragmentedScanSameFlows() throws {
        let whole = try run(scan(fragmented: false))
        let split = try run(scan(fragmented: true))
        #expect(whole.conns.count == 200)
        #expect(Set(whole.conns.map(Shape.init)) == Set(split.conns.map(Shape.init)))
        let stats = split.pipeline.defrag.statistics
        #expect(stats.reassembled == 200 && stats.fragments == 400 && stats.liveDatagrams == 0)
        #expect(split.pipeline.counters.decodeErrors.totalErrors == 0)
    }

    @Test("an IPv6 UDP datagram in fragments gives the same flow as the whole datagram")
    func ipv6FragmentsSameFlow() throws {
        let payload = [UInt8](repeating: 0x42, count: 3_000)
        let whole = PacketBuilder.udp(src: "2001:db8::66", sport: 5_353, dst: "2001:db8::80", dport: 9_999,
                                      payload: payload)
        let pieces = PacketBuilder.udpFragments(src: "2001:db8::66", sport: 5_353, dst: "2001:db8::80", dport: 9_999,
                                                payload: payload, fragmentSize: 1_232)
        #expect(pieces.count == 3)
        let a = try run([Timed(frame: whole, time: 0)])
        let b = try run(pieces.reversed().map { Timed(frame: $0, time: 0) })     // out of order too
        #expect(Set(a.conns.map(Shape.init)) == Set(b.conns.map(Shape.init)))
        #expect(a.conns.first?.originatorBytes == 3_000)
    }

    @Test("an identical duplicate fragment is ignored, a partial overlap discards the datagram")
    func overlaps() throws {
        let segment = synSegment("198.51.100.66", "10.0.0.80", port: 22)
        let duplicate = PacketBuilder.fragments(
            src: "198.51.100.66", dst: "10.0.0.80", protocolNumber: 6, transport: segment,
            pieces: [.init(offset: 0, length: 8), .init(offset: 0, length: 8), .init(offset: 8, length: 12)])
        let dup = try run(duplicate.map { Timed(frame: $0, time: 0) })
        #expect(dup.pipeline.defrag.statistics.duplicates == 1)
        #expect(dup.pipeline.defrag.statistics.reassembled == 1)
        #expect(dup.conns.first?.responderPort == 22)

        // The second piece rewrites bytes 8..<16 (the sequence number's neighbourhood and flags) differently.
        let overlapping = PacketBuilder.fragments(
            src: "198.51.100.66", dst: "10.0.0.80", protocolNumber: 6, transport: segment,
            pieces: [.init(offset: 0, length: 16), .init(offset: 8, length: 12)], fill: [1: 0xFF])
        let over = try run(overlapping.map { Timed(frame: $0, time: 0) })
        #expect(over.pipeline.defrag.statistics.overlaps == 1)
        #expect(over.pipeline.defrag.statistics.reassembled == 0)
        #expect(over.conns.isEmpty)
    }

    @Test("a non-last fragment whose length is not a multiple of 8 is malformed")
    func malformed() throws {
        let segment = synSegment("198.51.100.66", "10.0.0.80", port: 22)
        let frames = PacketBuilder.fragments(
            src: "198.51.100.66", dst: "10.0.0.80", protocolNumber: 6, transport: segment,
            pieces: [.init(offset: 0, length: 12, moreFragments: true), .init(offset: 16, length: 4)])
        let result = try run(frames.map { Timed(frame: $0, time: 0) })
        #expect(result.pipeline.defrag.statistics.malformed == 1)
        #expect(result.conns.isEmpty)
    }

    @Test("a datagram not complete within the timeout is discarded; within it, it is reassembled")
    func timeout() throws {
        let segment = synSegment("198.51.100.66", "10.0.0.80", port: 22)
        let frames = PacketBuilder.fragments(src: "198.51.100.66", dst: "10.0.0.80", protocolNumber: 6,
                                             transport: segment,
                                             pieces: [.init(offset: 0, length: 8), .init(offset: 8, length: 12)])
        let config = DefragConfiguration(timeout: .seconds(30))
        let late = try run([Timed(frame: frames[0], time: 0), Timed(frame: frames[1], time: 30_000_000)],
                           defrag: config)
        #expect(late.pipeline.defrag.statistics.timedOut == 1)
        #expect(late.pipeline.defrag.statistics.reassembled == 0)
        #expect(late.conns.isEmpty)
        let inTime = try run([Timed(frame: frames[0], time: 0), Timed(frame: frames[1], time: 29_999_999)],
                             defrag: config)
        #expect(inTime.pipeline.defrag.statistics.reassembled == 1)
        #expect(inTime.conns.count == 1)
    }

    @Test("a flood of incomplete fragments stays within the memory cap and real datagrams still reassemble")
    func floodStaysWithinMemoryCap() throws {
        let config = DefragConfiguration(memoryCap: 1 << 20, maxDatagramsPerSource: 8)
        let reassembler = FragmentReassembler(configuration: config)
        final class Limits { var seen: [FragmentReassembler.Limit] = [] }
        let limits = Limits()
        reassembler.onLimit = { limit, _ in limits.seen.append(limit) }
        var generator = SystemRandomNumberGenerator()
        let segment = synSegment("198.51.100.66", "10.0.0.80", port: 22)
        var decoded = DecodedPacket()
        var completed = 0
        for i in 0..<50_000 {
            // First fragments from random sources that never send the rest.
            let source = IPAddress(ipv4: UInt32.random(in: 0x0B00_0000...0x0BFF_FFFF, using: &generator))
            let frame = PacketBuilder.fragments(src: source.description, dst: "10.0.0.80", protocolNumber: 6,
                                                transport: segment, pieces: [.init(offset: 0, length: 8)],
                                                ip: IPFields(identification: UInt16(truncatingIfNeeded: i)))[0]
            try frame.withUnsafeBytes { bytes in
                try PacketDecoder.decode(bytes, wireLength: bytes.count,
                                         time: PacketTime(microseconds: Self.epoch + Int64(i)),
                                         linkType: .ethernet, into: &decoded)
                _ = reassembler.add(bytes, decoded) { _, _ in completed += 1 }
            }
            if i % 10_000 == 0 {
                let stats = reassembler.statistics
                #expect(stats.bufferBytes <= config.memoryCap)
                #expect(stats.liveDatagrams <= reassembler.capacity)
            }
        }
        // Many fragments from one source: its per-source limit holds.
        for i in 0..<100 {
            let frame = PacketBuilder.fragments(src: "203.0.113.9", dst: "10.0.0.80", protocolNumber: 6,
                                                transport: segment, pieces: [.init(offset: 8, length: 8)],
                                                ip: IPFields(identification: UInt16(i)))[0]
            try frame.withUnsafeBytes { bytes in
                try PacketDecoder.decode(bytes, wireLength: bytes.count,
                                         time: PacketTime(microseconds: Self.epoch + 60_000 + Int64(i)),
                                         linkType: .ethernet, into: &decoded)
                _ = reassembler.add(bytes, decoded) { _, _ in completed += 1 }
            }
        }
        let stats = reassembler.statistics
        #expect(completed == 0)
        #expect(stats.bufferBytes <= config.memoryCap)
        #expect(stats.liveDatagrams <= reassembler.capacity)
        #expect(stats.evicted > 0)
        #expect(stats.sourceLimited == 92)
        #expect(limits.seen == [.memoryCap, .perSource])     // each reported once
        // A real fragmented SYN right after the flood is reassembled.
        let real = PacketBuilder.fragments(src: "198.51.100.7", dst: "10.0.0.80", protocolNumber: 6,
                                           transport: segment,
                                           pieces: [.init(offset: 0, length: 8), .init(offset: 8, length: 12)])
        for frame in real {
            try frame.withUnsafeBytes { bytes in
                try PacketDecoder.decode(bytes, wireLength: bytes.count,
                                         time: PacketTime(microseconds: Self.epoch + 70_000), linkType: .ethernet,
                                         into: &decoded)
                _ = reassembler.add(bytes, decoded) { datagram, _ in
                    completed += datagram.count == 40 ? 1 : 100
                }
            }
        }
        #expect(completed == 1)
        print("defrag flood: \(stats.fragments) fragments, \(stats.evicted) evicted, "
              + "buffers \(stats.bufferBytes) B (cap \(config.memoryCap)), tables \(stats.tableBytes) B, "
              + "peak \(stats.peakDatagrams) datagrams")
    }
}
