import Capture
import Detect

/// Builds the detection side of a run (engine, outputs, whitelist) and adapts it to the detection loop.
/// Lives on the detection thread once the run starts.
final class DetectionWiring {
    /// What the detection loop feeds.
    let consumer: (any DetectionEventConsumer)?

    init(settings: SlipsdSettings, outputDirectory: String?, verbosity: Int, blocking: Bool) throws {
        consumer = nil
    }

    /// Lines for the run summary (evidence and alerts).
    func summaryLines() -> [String] { [] }
}
