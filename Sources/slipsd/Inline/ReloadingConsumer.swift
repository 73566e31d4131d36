import Blocker
import Detect
import Logging
import NetCore
import Records

/// The inline daemon's detection consumer: the detection engine behind the whitelist a SIGHUP installed.
///
/// At each event it checks (one atomic load) whether `SettingsReload` has new settings; if so it takes them
/// before the event: records of whitelisted hosts (either end of a flow, the sender of an ARP or SSH record)
/// no longer reach the detectors — their time still advances the engine's clock — and the response stage gets
/// the new policy and allowlist. Before the first reload the engine's own start-up whitelist is all there is.
/// The engine's evidence handler gets the new whitelist too, so an entry removed by a reload stops filtering
/// evidence at once. Every SIGHUP, whether its settings were good or refused, also reopens the output files at
/// their paths, for log rotation (`systemd/slipsd.logrotate`).
/// Confined to the detection thread.
final class ReloadingConsumer: DetectionEventConsumer {
    private let engine: DetectionEngine
    private let response: ResponseStage?
    private let reload: SettingsReload
    private let output: AlertOutput?
    private var seenGeneration = 0
    private var seenHangUps = 0
    private var whitelist: Whitelist?
    private let logger = Logger(label: "slipsd.inline")

    /// - Parameters:
    ///   - engine: receives every event not filtered out.
    ///   - response: gets the reloaded policy and allowlist (nil with `--no-block`).
    ///   - output: `slipsd.log`, written only by this thread.
    init(engine: DetectionEngine, response: ResponseStage?, reload: SettingsReload, output: AlertOutput?) {
        self.engine = engine
        self.response = response
        self.reload = reload
        self.output = output
    }

    func consume(_ event: RecordEvent) {
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
        if let whitelist, !whitelist.isEmpty, case .record(let record) = event, Self.involves(record, whitelist) {
            engine.consume(.tick(record.latestTime))
            return
        }
        engine.consume(event)
    }

    func finish() { engine.finish() }

    private func apply(_ settings: ReloadedSettings?) {
        guard let settings else { return }
        whitelist = settings.whitelist
        engine.evidenceHandler.replaceWhitelist(settings.whitelist)
        response?.apply(policy: settings.policy, allowlist: settings.allowlist)
        let line = "detection thread applied the reloaded settings (generation \(seenGeneration)): \(settings.summary)"
        logger.info("\(line)")
        output?.log(line)
    }

    /// After log rotation: the output files are opened again at their paths (the old ones get what was buffered).
    private func reopenOutputs() {
        guard let output else { return }
        var line = "SIGHUP: output files reopened in \(output.directory)"
        do {
            try output.reopen()
        } catch {
            logger.error("SIGHUP: \(error); that file writes on to the one open before")
            output.error("SIGHUP: \(error); that file writes on to the one open before")
            line += " except one: \(error)"
        }
        output.log(line)
    }

    /// True when a whitelisted host takes part in `record`.
    private static func involves(_ record: Record, _ whitelist: Whitelist) -> Bool {
        if case .conn(let flow) = record {
            return whitelist.contains(flow.originator) || whitelist.contains(flow.responder)
        }
        return whitelist.contains(record.profileIP)
    }
}
