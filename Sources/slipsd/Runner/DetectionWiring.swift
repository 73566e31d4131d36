import NetCore
import Records
import Capture
import Detect
import Blocker

/// Builds the detection side of a run (engine, outputs, whitelist) for the detection thread.
final class DetectionWiring {
    let engine: DetectionEngine
    let output: AlertOutput?
    /// The feeds marked for the kernel blocklist at start-up (`threatintelligence.block_feeds`, …).
    let feedBlockSources: [FeedBlockSource]
    /// The HTTP body digests the detectors of this run read: MD5 when the threat-intelligence detector runs and
    /// its lists hold MD5s (MALICIOUS_DOWNLOADED_FILE matches files by MD5 only), else none.
    let bodyDigestsRead: HTTPBodyHashKinds
    /// Where the feed refresh publishes newer threat-intelligence lists to the detector.
    let threatIntelUpdates = ThreatIntelUpdates()

    /// What the detection loop feeds.
    var consumer: (any DetectionEventConsumer)? { engine }

    /// - Throws: `SystemError` when the output directory or the whitelist cannot be opened, `Whitelist.ParseError` for a bad
    ///   whitelist file.
    ///   `daemonUser`: the uid an inline daemon drops to, whose output directory from an earlier run is accepted.
    init(settings: SlipsdSettings, outputDirectory: String?, verbosity: Int, daemonUser: uid_t? = nil) throws {
        if let directory = outputDirectory,
           let problem = TrustedPath.outputDirectoryProblem(directory, daemonUser: daemonUser) {
            throw SlipsdError("writing outputs to", object: directory, reason: "refused: \(problem)")
        }
        output = try outputDirectory.map { directory throws(SystemError) in try AlertOutput(directory: directory) }
        let loaded = try WhitelistLoader.load(settings, trusted: true)
        let whitelist = loaded.whitelist
        var detection = settings.detection
        let threatIntel = try ThreatIntelLoader.load(settings.threatIntel, trusted: true)
        detection.threatIntelligence = threatIntel.lists
        detection.threatIntelligence.updates = threatIntelUpdates
        feedBlockSources = threatIntel.blockSources
        detection.organizations = whitelist.organizations
        engine = DetectionEngine(settings: detection, whitelist: whitelist, output: output,
                                 verbosity: verbosity)
        let matchesFiles = engine.runningDetectors.contains(ThreatIntelligenceDetector.name)
        bodyDigestsRead = matchesFiles && threatIntel.lists.iocs.count(of: .md5) > 0 ? .md5 : []
        for line in loaded.messages + threatIntel.messages { output?.log(line) }
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
        if engine.whitelistedRecords > 0 {
            lines.append("  whitelisted   \(engine.whitelistedRecords) records dropped before detection (flows lines)")
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
