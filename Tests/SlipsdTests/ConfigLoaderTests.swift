import NetCore
import Records
import Testing
@testable import slipsd
import Detect
import Capture

@Suite("Configuration")
struct ConfigLoaderTests {
    @Test func emptyFileGivesDefaults() throws {
        let settings = try ConfigLoader.parse("", file: "t.yaml")
        #expect(settings.detection.evidenceDetectionThreshold == 0.25)
        #expect(settings.detection.alertThreshold == 15)
        #expect(settings.flows.maxFlows == 1_000_000)
    }

    @Test func shippedConfigLoads() throws {
        let settings = try ConfigLoader.load(path: RepositoryPaths.root + "/config/slipsd.yaml")
        #expect(settings.detection.timeWindowWidth == 3600)
        #expect(settings.blocking.table == "slipsd")
    }

    @Test func slipsKeysAreRead() throws {
        let yaml = """
        parameters:
          time_window_width: 60
        detection:
          evidence_detection_threshold: 0.08
        DisabledAlerts:
          disabled_detections: [UNKNOWN_PORT]
        """
        let settings = try ConfigLoader.parse(yaml, file: "t.yaml")
        #expect(settings.detection.timeWindowWidth == 60)
        #expect(abs(settings.detection.alertThreshold - 0.08) < 1e-9)
        #expect(settings.detection.disabledDetections == [.UNKNOWN_PORT])
    }

    @Test("errors name the key and the line", arguments: [
        ("detection:\n  evidence_detection_treshold: 0.2\n", "t.yaml:2:3: detection.evidence_detection_treshold: unknown key"),
        ("flows:\n  max: many\n", "t.yaml:2:8: flows.max: expected an integer, got 'many'"),
        ("flows:\n  max: 3\n", "t.yaml:2:8: flows.max: 3 is out of range 16...100000000"),
        ("bogus: 1\n", "t.yaml:1:1: bogus: unknown key"),
        ("blocking:\n  allowlist: [10.0.0.0/33]\n", "t.yaml:2:15: blocking.allowlist: '10.0.0.0/33' is not an IP address or CIDR network"),
        ("DisabledAlerts:\n  disabled_detections: [NOPE]\n", "t.yaml:2:25: DisabledAlerts.disabled_detections: unknown evidence type 'NOPE'"),
        ("parameters:\n  only_one_tw: maybe\n", "t.yaml:2:16: parameters.only_one_tw: expected true or false, got 'maybe'"),
    ])
    func preciseErrors(yaml: String, message: String) {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml, file: "t.yaml") }
        do {
            _ = try ConfigLoader.parse(yaml, file: "t.yaml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func brokenYAMLIsAnError() {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("flows: [1, 2\n", file: "t.yaml") }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/slipsd.yaml") }
    }

    /// The flow table and NFQUEUE (with its watchdog) check their own configuration; the loader runs those checks
    /// while it reads the file, so a value the YAML range allows but they refuse is reported at its key.
    @Test("derived configurations are validated at their YAML key", arguments: [
        ("flows:\n  tcp_close_delay: 0\n", "t.yaml:2:20: flows.tcp_close_delay: "),
        ("flows:\n  max: 64\n  tcp_reset_delay: 0\n", "t.yaml:3:20: flows.tcp_reset_delay: "),
        ("inline:\n  watchdog_ms: 100\n", "t.yaml:2:16: inline.watchdog_ms: "),
    ])
    func derivedConfigurationErrors(yaml: String, prefix: String) {
        do {
            _ = try ConfigLoader.parse(yaml, file: "t.yaml")
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.description.hasPrefix(prefix), "\(error.description)")
            #expect(!error.description.contains("tcpCloseLinger") && !error.description.contains("watchdogStallBound"),
                    "names an internal field: \(error.description)")
        }
    }

    @Test func derivedConfigurationsOfTheDefaultsAndShippedFileAreValid() throws {
        try SlipsdSettings().flows.tableConfiguration.validate()
        #expect(SlipsdSettings().inline.queueConfiguration(queues: 0...0, failClosed: false).firstProblem == nil)
        let shipped = try ConfigLoader.load(path: RepositoryPaths.root + "/config/slipsd.yaml")
        try shipped.flows.tableConfiguration.validate()
        #expect(shipped.inline.queueConfiguration(queues: 0...3, failClosed: true).firstProblem == nil)
        // Sub-millisecond delays are kept to the microsecond, not truncated to zero.
        let fine = try ConfigLoader.parse("flows:\n  tcp_close_delay: 0.0005\n", file: "t.yaml")
        #expect(fine.flows.tableConfiguration.tcpCloseLinger == .microseconds(500))
    }
}
