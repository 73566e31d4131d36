import NetCore
import Records
import Detect

/// The two threads of an offline run (`-r`, `-f`): a producer — the capture or the flow-file reader — that hands
/// records over and then finishes the hand-off, and the detection thread that consumes them. Both are joined
/// before the run's summary is printed.
enum OfflineThreads {
    /// What both threads gave back, and how long they ran.
    struct Finished<Produced, Consumed> {
        var produced: Produced
        var consumed: Consumed
        var elapsedSeconds: Double
    }

    /// Runs `produce` on a thread named `producerName` and `consume` (the detection loop) on `slipsd-detect`;
    /// nil (after one message on stderr) when a thread cannot be started.
    static func run<Produced, Consumed>(producerName: String, handoff: RecordHandoff,
                                        consume: sending @escaping () -> Consumed,
                                        produce: sending @escaping () -> Produced) -> Finished<Produced, Consumed>? {
        let started = MonotonicClock.now()
        do {
            let detectionThread = try OSThreadTask.start(name: "slipsd-detect", consume)
            let producerThread = try OSThreadTask.start(name: producerName) {
                let produced = produce()
                handoff.finish()
                return produced
            }
            let produced = producerThread.join()
            let finished = detectionThread.join()
            guard let produced, let finished else { return nil }
            return Finished(produced: produced, consumed: finished, elapsedSeconds: MonotonicClock.now() - started)
        } catch {
            Console.error("slipsd: \(error)")
            return nil
        }
    }
}
