import Capture
import NetCore
import Records

/// Runs Ethernet frames through a fresh `PacketPipeline` (one millisecond apart) and returns every record it
/// handed over, in order.
func pipelineRecords(_ frames: [[UInt8]]) throws -> [Record] {
    let handoff = RecordHandoff(producers: 1, producersMayWait: true)
    let pipeline = try PacketPipeline(flowConfiguration: FlowTableConfiguration(maxFlows: 1_024), handoff: handoff,
                                      flushEagerly: false)
    for (index, frame) in frames.enumerated() {
        let time = PacketTime(microseconds: 1_700_000_000_000_000 + Int64(index) * 1_000)
        _ = frame.withUnsafeBytes { pipeline.handlePacket($0, wireLength: frame.count, time: time, linkType: .ethernet) }
    }
    pipeline.finish()
    handoff.finish()
    var all: [Record] = []
    var batch: [RecordEvent] = []
    while handoff.take(into: &batch) {
        for case .record(let record) in batch { all.append(record) }
        batch.removeAll(keepingCapacity: true)
    }
    return all
}
