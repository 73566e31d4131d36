import Blocker
import Detect
import Logging
import NetCore
import Records

/// The inline daemon's detection consumer: the detection engine, with the settings a SIGHUP installed.
///
/// At each event it checks (one atomic load) whether a SIGHUP was handled; if so, before the event, it reopens
/// the output files at their paths (log rotation, `systemd/slipsd.logrotate`), whether the new settings were good
/// or refused, and installs good new settings: the engine's whitelist (for records and evidence alike, with
/// Slips' direction and what-to-ignore columns) and the response stage's policy and allowlist.
/// Confined to the detection thread.
final class ReloadingConsumer: DetectionEventConsumer {
    private let engine: DetectionEngine
    private let response: ResponseStage?
    private let reload: SettingsReload
    private let output: AlertOutput?
    private let zeekLogs: ZeekLogWriter?
    private let learning: KernelBlockLearning?
    private var seenGeneration = 0
    private var seenHangUps = 0
    private let logger = Logger(label: "slipsd.inline")

    /// - Parameters:
    ///   - engine: receives every event not filtered out.
    ///   - response: gets the reloaded policy and allowlist (nil with `--no-block`).
    ///   - output: `slipsd.log`, written only by this thread.
    ///   - zeekLogs: the `--zeek-logs` writer (this thread's too), reopened with the outputs.
    ///   - learning: the kernel's existing blocks being listed; applied to `response` when they arrive.
    init(engine: DetectionEngine, response: ResponseStage?, reload: SettingsReload, output: AlertOutput?,
         zeekLogs: ZeekLogWriter? = nil, learning: KernelBlockLearning? = nil) {
        self.engine = engine
        self.response = response
        self.reload = reload
        self.output = output
        self.zeekLogs = zeekLogs
        self.learning = learning
    }

    func consume(_ event: RecordEvent) {
        if let learning, let response, let lines = learning.applyIfReady(to: response) {
            for line in lines {
                logger.notice("\(line)")
                output?.log(line)
            }
        }
        let hangUps = reload.hangUps
        if hangUps != seenHangUps {
            seenHangUps = hangUps
            reopenOutputs()
            let generation = reload.generation
            if generation != seenGeneration {
                seenGeneration = generation
                apply(reload.current())
            }
        }
        engine.consume(event)
    }

    func finish() { engine.finish() }

    private func apply(_ settings: ReloadedSettings?) {
        guard let settings else { return }
        engine.replaceWhitelist(settings.whitelist)
        response?.apply(policy: settings.policy, allowlist: settings.allowlist)
        let line = "detection thread applied the reloaded settings (generation \(seenGeneration)): \(settings.summary)"
        logger.info("\(line)")
        output?.log(line)
    }

    /// After log rotation: the output files, and the Zeek logs, are opened again at their paths (the old ones
    /// get what was buffered).
    private func reopenOutputs() {
        guard let output else { return }
        var line = "SIGHUP: output files reopened in \(output.directory)"
        var failures: [SystemError] = []
        do { try output.reopen() } catch { failures.append(error) }
        if let zeekLogs {
            do { try zeekLogs.reopen() } catch { failures.append(error) }
            line += " and \(zeekLogs.directory)"
        }
        for error in failures {
            logger.error("SIGHUP: \(error); that file writes on to the one open before")
            output.error("SIGHUP: \(error); that file writes on to the one open before")
        }
        if let first = failures.first { line += " except \(failures.count == 1 ? "one" : "\(failures.count)"): \(first)" }
        output.log(line)
    }
}
