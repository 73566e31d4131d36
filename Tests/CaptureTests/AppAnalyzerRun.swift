import Capture
import NetCore
import Records
import TestSupport

/// Timed packets through a fresh pipeline with the application analyzers, collecting its records and statistics.
struct AppAnalyzerRun {
    var records: [Record] = []
    var statistics = AnalyzerStatistics()

    init(_ packets: [TimedPacket], analyzers: AnalyzerConfiguration = AnalyzerConfiguration()) throws {
        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let pipeline = try PacketPipeline(flowConfiguration: FlowTableConfiguration(maxFlows: 4_096), handoff: handoff,
                                          flushEagerly: false, analyzers: analyzers)
        for packet in packets {
            _ = packet.bytes.withUnsafeBytes {
                pipeline.handlePacket($0, wireLength: packet.wireLength, time: packet.time, linkType: packet.linkType)
            }
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

    var http: [HTTPRecord] { records.compactMap { HTTPRecord.from($0) } }
    var files: [FilesRecord] { records.compactMap { FilesRecord.from($0) } }
    var ssh: [SSHRecord] { records.compactMap { SSHRecord.from($0) } }
    var software: [SoftwareRecord] { records.compactMap { SoftwareRecord.from($0) } }
    var smtp: [SMTPRecord] { records.compactMap { SMTPRecord.from($0) } }
    var dhcp: [DHCPRecord] { records.compactMap { DHCPRecord.from($0) } }
    var conns: [ConnRecord] { records.compactMap { ConnRecord.from($0) } }
}

/// A TCP session with the given client and server messages, in order, each side's message split into segments.
func tcpExchange(_ messages: [(TCPSession.Side, [UInt8])], serverPort: UInt16 = 80, segmentSize: Int = 1448,
                 clientPort: UInt16 = 40_100) -> [TimedPacket] {
    var session = TCPSession(client: "10.9.0.2", clientPort: clientPort, server: "10.9.0.80", serverPort: serverPort,
                             start: PacketTime(microseconds: 1_700_000_000_000_000), interval: 1_000,
                             link: .ethernet, vlan: [])
    session.handshake()
    for (side, bytes) in messages { session.transfer(side, bytes, segmentSize: segmentSize) }
    session.finClose(by: .client)
    return session.packets
}
