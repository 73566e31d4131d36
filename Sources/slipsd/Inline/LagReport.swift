import Capture
import Logging
import NetCore
import Records

/// Logs, from the main thread, when detection events were dropped or the queues overran since the last line:
/// at most one line every 10 s, with the totals also readable through `slipsd --status`.
struct LagReport {
    let handoff: RecordHandoff
    let source: NFQueueSource
    private var droppedEvents = 0
    private var overruns: UInt64 = 0
    private var lastLine = -Double.infinity
    private let logger = Logger(label: "slipsd.inline")

    init(handoff: RecordHandoff, source: NFQueueSource) {
        self.handoff = handoff
        self.source = source
    }

    /// Compares the counters with the last report and logs what grew.
    mutating func check() {
        let now = MonotonicClock.now()
        guard now - lastLine >= 10 else { return }
        let dropped = handoff.droppedEvents
        let overran = source.statistics.receiveOverruns
        guard dropped > droppedEvents || overran > overruns else { return }
        let line = "falling behind: \(dropped - droppedEvents) detection events dropped (total \(dropped)), "
            + "\(overran - overruns) NFQUEUE overruns (total \(overran)) since the last report"
        logger.warning("\(line)")
        droppedEvents = dropped
        overruns = overran
        lastLine = now
    }
}
