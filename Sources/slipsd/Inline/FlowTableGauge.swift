import Capture
import Logging
import NetCore
import Synchronization

/// One packet thread's flow-table state as other threads see it (the control socket's `--status`): whether the
/// table is in emergency mode, how often it entered it, and its live flows. Written only by that packet thread,
/// at least once a second (`idle`) and when emergency mode begins; read from any thread.
final class FlowTableGauge: Sendable {
    private let emergency = Atomic<Bool>(false)
    private let entries = Atomic<UInt64>(0)
    private let flows = Atomic<Int>(0)
    private let capacity = Atomic<Int>(0)

    /// All zero.
    init() {}

    /// Records `statistics` (packet thread).
    func publish(_ statistics: FlowTableStatistics) {
        emergency.store(statistics.isInEmergency, ordering: .relaxed)
        entries.store(statistics.emergencyEntries, ordering: .relaxed)
        flows.store(statistics.liveFlows, ordering: .relaxed)
        capacity.store(statistics.capacity, ordering: .relaxed)
    }

    /// The published values summed over `gauges` (emergency when any table is in it).
    static func summary(_ gauges: [FlowTableGauge]) -> DaemonStatus.FlowTables {
        DaemonStatus.FlowTables(
            inEmergency: gauges.contains { $0.emergency.load(ordering: .relaxed) },
            emergencyEntries: gauges.reduce(0) { $0 &+ $1.entries.load(ordering: .relaxed) },
            liveFlows: gauges.reduce(0) { $0 + $1.flows.load(ordering: .relaxed) },
            capacity: gauges.reduce(0) { $0 + $1.capacity.load(ordering: .relaxed) })
    }
}

/// The inline packet handler: the packet pipeline, plus its flow table's state published to a
/// `FlowTableGauge` and a log line (`slipsd.capture`) when the table enters emergency mode. Packets go straight
/// to the pipeline. Confined to its packet thread.
final class GaugedPipeline: PacketHandler {
    private let pipeline: PacketPipeline
    private let gauge: FlowTableGauge

    /// Wraps `pipeline` (created on this packet thread) for queue `queue`.
    init(_ pipeline: PacketPipeline, gauge: FlowTableGauge, queue: UInt16) {
        self.pipeline = pipeline
        self.gauge = gauge
        let logger = Logger(label: "slipsd.capture")
        pipeline.flowTable.onEmergency = { statistics in
            gauge.publish(statistics)
            logger.warning("flow table of queue \(queue) entered emergency mode (\(statistics.liveFlows) of \(statistics.capacity) flows, entry \(statistics.emergencyEntries)): shorter timeouts, oldest flows evicted, only SYNs create TCP flows")
        }
    }

    @inline(__always)
    func handlePacket(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                      linkType: LinkType) -> PacketVerdict {
        pipeline.handlePacket(bytes, wireLength: wireLength, time: time, linkType: linkType)
    }

    func idle(now: PacketTime) {
        pipeline.idle(now: now)
        gauge.publish(pipeline.flowTable.statistics)
    }

    func sourceStopped() { pipeline.sourceStopped() }

    @inline(__always)
    func batchEnded() { pipeline.batchEnded() }
}
