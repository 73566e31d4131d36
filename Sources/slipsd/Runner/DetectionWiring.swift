import Capture
import Detect

/// Builds the detection side of a run (engine, outputs, whitelist) for the detection thread.
final class DetectionWiring {
    let engine: DetectionEngine
    let output: AlertOutput?

    /// What the detection loop feeds.
    var consumer: (any DetectionEventConsumer)? { engine }

    /// - Throws: `CaptureError` when the output directory cannot be created, `Whitelist.ParseError` for a bad
    ///   whitelist file.
    init(settings: SlipsdSettings, outputDirectory: String?, verbosity: Int, blocking: Bool) throws {
        output = try outputDirectory.map { directory throws(CaptureError) in try AlertOutput(directory: directory) }
        var whitelist = Whitelist()
        if settings.whitelistEnabled, let path = settings.whitelistPath {
            if access(path, R_OK) == 0 {
                whitelist = try Whitelist(parsing: try ConfigLoader.readFile(path), file: path)
            } else if settings.whitelistPathWasSet {
                throw CaptureError.system("reading whitelist", object: path, errno: errno)
            }
        }
        let policy = blocking ? BlockingPolicy(fixedSeconds: settings.blocking.durationSeconds,
                                               escalate: settings.blocking.escalate,
                                               maxSeconds: settings.blocking.maxDurationSeconds) : nil
        engine = DetectionEngine(settings: settings.detection, whitelist: whitelist, output: output,
                                 blocking: policy, verbosity: verbosity)
    }

    /// Lines for the run summary (evidence and alerts).
    func summaryLines() -> [String] {
        let handler = engine.evidenceHandler
        var lines = ["  detectors     \(engine.runningDetectors.joined(separator: ", "))",
                     "  evidence      \(handler.evidenceCount)  (alerts: \(handler.alertCount))"]
        if handler.droppedWhitelisted > 0 || handler.droppedDisabled > 0 {
            lines.append("  dropped       \(handler.droppedWhitelisted) whitelisted, \(handler.droppedDisabled) disabled")
        }
        if !engine.detectorErrors.isEmpty {
            lines.append("  errors        \(engine.detectorErrors.count) detector failures (see errors.log)")
        }
        if let output { lines.append("  output        \(output.directory)/alerts.log, alerts.json") }
        return lines
    }
}

#if canImport(Glibc)
import Glibc
#endif
