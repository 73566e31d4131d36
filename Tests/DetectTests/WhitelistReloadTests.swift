import NetCore
import Records
import Testing
@testable import Detect

/// A SIGHUP reload installs a new whitelist in the evidence handler: a host taken off the list is judged again.
@Suite("Whitelist reload", .serialized)
struct WhitelistReloadTests {
    @Test("a host removed from the whitelist is no longer exempt; one added is")
    func replacedWhitelistTakesEffect() {
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60
        settings.enabledModules = ["scripted"]
        ScriptedDetector.script = { m in
            [Evidence(type: .TEMPLATE_EVIDENCE, description: "test",
                      attacker: Attacker(direction: .SRC, value: m.flow.originator.description),
                      threatLevel: .critical, confidence: 1, profile: m.profile, timeWindow: m.timeWindow,
                      uids: [m.flow.uid], timestamp: m.flow.startTime)]
        }
        let engine = DetectionEngine(settings: settings, detectorTypes: [ScriptedDetector.self],
                                     whitelist: Whitelist(networks: ["10.0.0.9"]))
        engine.consume(.record(.conn(engineFlow("10.0.0.9", 1, "1.1.1.1", 80, at: 0))))
        #expect(engine.evidenceHandler.evidenceCount == 0)
        engine.evidenceHandler.replaceWhitelist(Whitelist(networks: ["10.0.0.10"]))
        engine.consume(.record(.conn(engineFlow("10.0.0.9", 2, "1.1.1.1", 80, at: 1))))
        engine.consume(.record(.conn(engineFlow("10.0.0.10", 3, "1.1.1.1", 80, at: 2))))
        engine.finish()
        #expect(engine.evidenceHandler.evidenceCount == 1)
        #expect(engine.evidenceHandler.droppedWhitelisted >= 2)
    }
}
