import NetCore
import Records
import Capture
import Detect

/// Builds the detection side of a run (engine, outputs, whitelist) for the detection thread.
final class DetectionWiring {
    let engine: DetectionEngine
    let output: AlertOutput?

    /// What the detection loop feeds.
    var consumer: (any DetectionEventConsumer)? { engine }

    /// - Throws: `SystemError` when the output directory or the whitelist cannot be opened, `Whitelist.ParseError` for a bad
    ///   whitelist file.
    init(settings: SlipsdSettings, outputDirectory: String?, verbosity: Int) throws {
        if let directory = outputDirectory, let problem = TrustedPath.outputDirectoryProblem(directory) {
            throw SlipsdError("writing outputs to", object: directory, reason: "refused: \(problem)")
        }
        output = try outputDirectory.map { directory throws(SystemError) in try AlertOutput(directory: directory) }
        var whitelist = Whitelist()
        if settings.whitelistEnabled, let path = settings.whitelistPath {
            if access(path, R_OK) == 0 {
                if let problem = TrustedPath.problem(with: path) {
                    throw SlipsdError("reading whitelist", object: path,
                                      reason: "not read: \(problem) (slipsd reads only files that no other user can change)")
                }
                whitelist = try Whitelist(parsing: try ConfigLoader.readFile(path), file: path)
            } else if settings.whitelistPathWasSet {
                throw SystemError.current("reading whitelist", object: path)
            }
        }
        engine = DetectionEngine(settings: settings.detection, whitelist: whitelist, output: output,
                                 verbosity: verbosity)
    }

    /// Lines for the run summary (evidence and alerts).
    func summaryLines() -> [String] {
        let handler = engine.evidenceHandler
        var lines = ["  detectors     \(engine.runningDetectors.joined(separator: ", "))",
                     "  evidence      \(handler.evidenceCount)  (alerts: \(handler.alertCount))",
                     "  analyzed      Total analyzed IPs: \(engine.analyzedProfileCount)\(engine.analyzedProfilesCapped ? " (at least)" : "")"]
        if handler.droppedWhitelisted > 0 || handler.droppedDisabled > 0 {
            lines.append("  dropped       \(handler.droppedWhitelisted) whitelisted, \(handler.droppedDisabled) disabled")
        }
        if !engine.detectorErrors.isEmpty {
            lines.append("  errors        \(engine.detectorErrors.count) detector failures (see errors.log)")
        }
        if let output {
            lines.append("  output        \(output.alertsDirectory)/alerts.log, alerts.json; \(output.directory)/slipsd.log, errors.log")
        }
        return lines
    }
}

#if canImport(Glibc)
import Glibc
#endif
