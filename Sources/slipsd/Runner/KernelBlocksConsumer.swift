import Blocker
import Detect
import Logging
import Records

/// A detection consumer that, before each event, hands the kernel's existing blocks to the response stage once
/// they are listed (`KernelBlockLearning`), then passes the event on. Used by `-i … -p`; the inline daemon's
/// `ReloadingConsumer` does the same. Confined to the detection thread.
final class KernelBlocksConsumer: DetectionEventConsumer {
    private let inner: any DetectionEventConsumer
    private let learning: KernelBlockLearning
    private let stage: ResponseStage
    private let log: (String) -> Void

    init(_ inner: any DetectionEventConsumer, learning: KernelBlockLearning, stage: ResponseStage,
         log: @escaping (String) -> Void) {
        self.inner = inner
        self.learning = learning
        self.stage = stage
        self.log = log
    }

    func consume(_ event: RecordEvent) {
        if let lines = learning.applyIfReady(to: stage) { lines.forEach(log) }
        inner.consume(event)
    }

    func finish() {
        if !learning.isDone { learning.waitAndApply(to: stage).forEach(log) }
        inner.finish()
    }
}
