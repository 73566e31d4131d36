import Logging
import NetCore
import Records

/// Receives `RecordEvent`s on the detection thread, one batch at a time.
public protocol DetectionEventConsumer: AnyObject {
    /// Handles one event (flow, ARP, SSH banner, tick).
    func consume(_ event: RecordEvent)
    /// End of input or shutdown: final ticks, flush, shut detectors down.
    func finish()
}

/// The detection thread's loop: takes batches from the `RecordHandoff`, writes the flow log, counts flows, and
/// hands every event to the consumer (the detection engine). Confined to the detection thread.
public final class DetectionLoop {
    private let handoff: RecordHandoff
    private let consumer: (any DetectionEventConsumer)?
    private let flowLog: FlowLogWriter?
    private let zeekLogs: ZeekLogWriter?
    /// Final flows seen, by state and protocol.
    public private(set) var flowSummary = FlowSummary()
    /// Why the flow log could not be written completely, if it could not.
    public private(set) var flowLogError: SystemError?
    /// Why the Zeek logs (`--zeek-logs`) could not be written completely, if they could not.
    public private(set) var zeekLogError: SystemError?

    /// - Parameters:
    ///   - handoff: where capture threads push events.
    ///   - consumer: the detection engine (nil: flows only).
    ///   - flowLog: optional `--flows` writer.
    ///   - zeekLogs: optional `--zeek-logs` writer (every record goes to its Zeek log).
    public init(handoff: RecordHandoff, consumer: (any DetectionEventConsumer)?, flowLog: FlowLogWriter?,
                zeekLogs: ZeekLogWriter? = nil) {
        self.handoff = handoff
        self.consumer = consumer
        self.flowLog = flowLog
        self.zeekLogs = zeekLogs
    }

    /// Runs until every producer finished and all events are consumed; then finishes the consumer and closes
    /// the flow log.
    public func run() {
        var batch: [RecordEvent] = []
        batch.reserveCapacity(4096)
        var droppedSeen = 0
        var lastDropLog = -Double.infinity
        let logger = Logger(label: "slipsd.detect")
        while handoff.take(into: &batch) {
            let dropped = handoff.droppedEvents
            if dropped > droppedSeen, MonotonicClock.now() - lastDropLog >= 10 {   // at most one line per 10 s
                logger.warning("the detection thread fell behind: \(dropped - droppedSeen) records dropped (\(dropped) in all); packets still get their verdicts")
                droppedSeen = dropped
                lastDropLog = MonotonicClock.now()
            }
            for event in batch {
                if case .record(.conn(let record)) = event {
                    flowSummary.count(record)
                    flowLog?.write(record)
                }
                if let zeekLogs, case .record(let record) = event { zeekLogs.write(record) }
                consumer?.consume(event)
            }
            batch.removeAll(keepingCapacity: true)
        }
        consumer?.finish()
        do {
            try flowLog?.close()
        } catch {
            flowLogError = error
        }
        do {
            try zeekLogs?.close()
        } catch {
            zeekLogError = error
        }
    }
}
