import Capture
import NetCore
import Records
import Testing
import TestSupport

/// Frames through a fresh pipeline at the given packet times (microseconds from a base), collecting its records
/// and its analyzer statistics.
struct DNSPipelineRun {
    var records: [Record] = []
    var statistics = AnalyzerStatistics()

    init(_ frames: [[UInt8]], times: [Int64]? = nil, analyzers: AnalyzerConfiguration = AnalyzerConfiguration())
        throws {
        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let pipeline = try PacketPipeline(flowConfiguration: FlowTableConfiguration(maxFlows: 4_096), handoff: handoff,
                                          flushEagerly: false, analyzers: analyzers)
        for (index, frame) in frames.enumerated() {
            let offset = times?[index] ?? Int64(index) * 1_000
            let time = PacketTime(microseconds: 1_700_000_000_000_000 + offset)
            _ = frame.withUnsafeBytes { pipeline.handlePacket($0, wireLength: frame.count, time: time, linkType: .ethernet) }
        }
        pipeline.finish()
        statistics = pipeline.analyzerStatistics
        handoff.finish()
        var batch: [RecordEvent] = []
        while handoff.take(into: &batch) {
            for case .record(let record) in batch { records.append(record) }
            batch.removeAll(keepingCapacity: true)
        }
    }

    var dns: [DNSRecord] { records.compactMap { DNSRecord.from($0) } }
    var conns: [ConnRecord] { records.compactMap { ConnRecord.from($0) } }
}

/// The DNS analyzer on the packet path: pairing by id, timeouts, TCP reassembly, `service`, the budget.
@Suite("DNS analyzer in the pipeline")
struct DNSPipelineTests {
    let client = "10.7.0.2", server = "10.7.0.53"

    func udp(_ payload: [UInt8], fromClient: Bool = true, port: UInt16 = 40_001, serverPort: UInt16 = 53) -> [UInt8] {
        fromClient
            ? PacketBuilder.udp(src: client, sport: port, dst: server, dport: serverPort, payload: payload)
            : PacketBuilder.udp(src: server, sport: serverPort, dst: client, dport: port, payload: payload)
    }

    @Test("a UDP query and its response become one record with rtt, answers, TTLs; the conn gets service dns")
    func udpPair() throws {
        let run = try DNSPipelineRun([
            udp(DNSWire.query(id: 0x1234, name: "host.example.org", type: 1)),
            udp(DNSWire.response(id: 0x1234, name: "host.example.org", type: 1, aa: true,
                                 answers: [DNSWire.answer(type: 1, ttl: 600, rdata: [192, 0, 2, 7])]), fromClient: false),
        ], times: [0, 2_500])
        let record = try #require(run.dns.first)
        #expect(run.dns.count == 1)
        #expect(record.query == "host.example.org" && record.qtype == 1 && record.qtypeName == "A")
        #expect(record.qclass == 1 && record.qclassName == "C_INTERNET")
        #expect(record.transID == 0x1234 && record.rcode == 0 && record.rcodeName == "NOERROR")
        #expect(record.AA && record.RD && record.RA && !record.TC && !record.rejected)
        #expect(record.answers == ["192.0.2.7"] && record.TTLs == [600])
        #expect(record.rtt == 0.0025)
        #expect(record.proto == .udp && record.originator == IPAddress(client) && record.responderPort == 53)
        let conn = try #require(run.conns.first)
        #expect(conn.service == "dns" && conn.uid == record.uid)
        #expect(run.statistics.budgetUsed == 0)
    }

    @Test("answers pair by id, not by order; an unanswered query is reported after the timeout")
    func pairingAndTimeout() throws {
        let run = try DNSPipelineRun([
            udp(DNSWire.query(id: 1, name: "one.example", type: 1)),
            udp(DNSWire.query(id: 2, name: "two.example", type: 28)),
            udp(DNSWire.query(id: 3, name: "lost.example", type: 1)),
            udp(DNSWire.response(id: 2, name: "two.example", type: 28, rcode: 3), fromClient: false),
            udp(DNSWire.response(id: 1, name: "one.example", type: 1), fromClient: false),
            // Traffic elsewhere so time passes beyond the 10 s timeout while the DNS flow is still live.
            PacketBuilder.udp(src: "10.7.0.9", sport: 1, dst: "10.7.0.10", dport: 9, payload: [1]),
        ], times: [0, 10, 20, 1_000, 2_000, 12_000_000])
        let byName = Dictionary(uniqueKeysWithValues: run.dns.map { ($0.query, $0) })
        #expect(run.dns.count == 3)
        #expect(byName["two.example"]?.rcodeName == "NXDOMAIN" && byName["two.example"]?.qtypeName == "AAAA")
        #expect(byName["one.example"]?.rcode == 0)
        let lost = try #require(byName["lost.example"])
        #expect(lost.rcode == nil && lost.rtt == nil && lost.answers.isEmpty)
        #expect(run.statistics.dnsUnanswered == 1)
        // Reported by the sweep, before its flow's conn record (the flow itself had not timed out yet).
        let lostIndex = try #require(run.records.firstIndex { DNSRecord.from($0)?.query == "lost.example" })
        let connIndex = try #require(run.records.firstIndex { ConnRecord.from($0)?.uid == lost.uid })
        #expect(lostIndex < connIndex)
    }

    @Test("DNS on another UDP port is recognised by its shape; other payloads on other ports are not claimed")
    func shapeDetection() throws {
        let run = try DNSPipelineRun([
            udp(DNSWire.query(id: 5, name: "odd.example", type: 1), serverPort: 5_300),
            udp(DNSWire.response(id: 5, name: "odd.example", type: 1), fromClient: false, serverPort: 5_300),
            udp(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), port: 40_002, serverPort: 8_080),
            udp([UInt8](repeating: 0, count: 40), port: 40_003, serverPort: 9_999),
        ])
        #expect(run.dns.map(\.query) == ["odd.example"])
        #expect(run.statistics.claims == 1)
        #expect(run.conns.filter { $0.service == "dns" }.count == 1)
    }

    @Test("DNS over TCP: a message split across segments, out of order and retransmitted, is read once")
    func tcpReassembly() throws {
        let query = DNSWire.framed(DNSWire.query(id: 77, name: "tcp.example.org", type: 16))
        let response = DNSWire.framed(DNSWire.response(id: 77, name: "tcp.example.org", type: 16, answers: [
            DNSWire.answer(type: 16, ttl: 30, rdata: [4] + Array("text".utf8)),
        ]))
        let c = client, s = server
        let q1 = Array(query.prefix(5)), q2 = Array(query.dropFirst(5))
        let r1 = Array(response.prefix(20)), r2 = Array(response.dropFirst(20).prefix(10)),
            r3 = Array(response.dropFirst(30))
        let frames = [
            PacketBuilder.tcp(src: c, sport: 45_000, dst: s, dport: 53, flags: [.syn], seq: 1_000),
            PacketBuilder.tcp(src: s, sport: 53, dst: c, dport: 45_000, flags: [.syn, .ack], seq: 9_000, ack: 1_001),
            PacketBuilder.tcp(src: c, sport: 45_000, dst: s, dport: 53, flags: [.ack], seq: 1_001, ack: 9_001),
            PacketBuilder.tcp(src: c, sport: 45_000, dst: s, dport: 53, flags: [.psh, .ack], seq: 1_001, ack: 9_001,
                              payload: q1),
            PacketBuilder.tcp(src: c, sport: 45_000, dst: s, dport: 53, flags: [.psh, .ack], seq: 1_001, ack: 9_001,
                              payload: q1),                                                   // retransmission
            PacketBuilder.tcp(src: c, sport: 45_000, dst: s, dport: 53, flags: [.psh, .ack], seq: 1_006, ack: 9_001,
                              payload: q2),
            PacketBuilder.tcp(src: s, sport: 53, dst: c, dport: 45_000, flags: [.psh, .ack], seq: 9_021,
                              ack: 1_001 + UInt32(query.count), payload: r2),                 // ahead of r1
            PacketBuilder.tcp(src: s, sport: 53, dst: c, dport: 45_000, flags: [.psh, .ack], seq: 9_001,
                              ack: 1_001 + UInt32(query.count), payload: r1),
            PacketBuilder.tcp(src: s, sport: 53, dst: c, dport: 45_000, flags: [.psh, .ack], seq: 9_031,
                              ack: 1_001 + UInt32(query.count), payload: r3),
        ]
        let run = try DNSPipelineRun(frames)
        let record = try #require(run.dns.first)
        #expect(run.dns.count == 1)
        #expect(record.proto == .tcp && record.query == "tcp.example.org" && record.qtypeName == "TXT")
        #expect(record.answers == ["TXT 4 text"] && record.TTLs == [30] && record.rtt != nil)
        #expect(run.statistics.retransmissions == 1 && run.statistics.outOfOrder == 1)
        #expect(run.conns.first?.service == "dns")
        #expect(run.statistics.dnsMalformations.total == 0)
    }

    @Test("at the memory budget, flows are tracked without DNS fields and never dropped; the refusals are counted")
    func budget() throws {
        var frames: [[UInt8]] = []
        for index in 0..<20 {
            let port = UInt16(41_000 + index)
            frames.append(udp(DNSWire.query(id: UInt16(index), name: "n\(index).example", type: 1), port: port))
            frames.append(udp(DNSWire.response(id: UInt16(index), name: "n\(index).example", type: 1),
                              fromClient: false, port: port))
        }
        let small = AnalyzerConfiguration(memoryBudget: 3 * 1_024)
        let run = try DNSPipelineRun(frames, analyzers: small)
        #expect(run.conns.count == 20)                                   // every flow still reported
        #expect(run.statistics.budgetRefusals > 0)
        #expect(!run.dns.isEmpty && run.dns.count < 20)
        #expect(run.statistics.budgetPeak <= 3 * 1_024)
        #expect(run.conns.filter { $0.service == "dns" }.count == run.dns.count)
        let roomy = try DNSPipelineRun(frames)
        #expect(roomy.dns.count == 20 && roomy.statistics.budgetRefusals == 0)
    }

    @Test("analyzers switched off: no DNS record, no service, same flows")
    func disabled() throws {
        let frames = [udp(DNSWire.query(id: 1, name: "a.example", type: 1)),
                      udp(DNSWire.response(id: 1, name: "a.example", type: 1), fromClient: false)]
        let off = try DNSPipelineRun(frames, analyzers: AnalyzerConfiguration(enabled: false))
        #expect(off.dns.isEmpty && off.conns.count == 1 && off.conns[0].service == "")
        #expect(off.statistics.claims == 0)
    }
}
