import Testing
@testable import slipsd
import Detect

/// Each detector's settings from its own YAML section (`ConfigLoader.readDetectorSettings`).
@Suite("Configuration: detector sections")
struct DetectorSectionsConfigTests {
    func parse(_ yaml: String) throws(ConfigError) -> DetectionSettings { try ConfigLoader.parse(yaml, file: "t.yaml").detection }

    @Test func sectionsReachTheirDetectors() throws {
        let settings = try parse("""
        network_discovery:
          minimum_targets: 3
          report_levels: [20]
        arp:
          arp_scan_interval: 5
        ssh_brute_force:
          ssh_attempt_threshold: 4
        flowalerts:
          long_connection_threshold: 60
          known_services_file: /etc/services
        """)
        #expect(settings.settings(for: PortScanDetector.self) == ScanReportSettings(minimumTargets: 3, reportLevels: [20]))
        #expect(settings.settings(for: ICMPScanDetector.self) == ScanReportSettings())
        #expect(settings.settings(for: ARPScanDetector.self) == ARPScanDetector.Settings(scanThreshold: 5, scanInterval: 5))
        #expect(settings.settings(for: SSHPasswordGuessingDetector.self).attemptThreshold == 4)
        let flowAlerts = settings.settings(for: FlowAlertsDetector.self)
        #expect(flowAlerts.longConnectionThreshold == 60 && flowAlerts.knownServicesFile == "/etc/services")
        #expect(flowAlerts.reconnectionThreshold == 5)
    }

    @Test func olderDetectionKeysStillWork() throws {
        let settings = try parse("""
        detection:
          evidence_detection_threshold: 0.08
          port_scan_minimum_targets: 4
          ssh_password_guessing_threshold: 12
          data_exfiltration_threshold: 50
        """)
        #expect(abs(settings.evidenceDetectionThreshold - 0.08) < 1e-9)
        #expect(settings.settings(for: PortScanDetector.self).minimumTargets == 4)
        #expect(settings.settings(for: ICMPScanDetector.self).minimumTargets == 4)
        #expect(settings.settings(for: SSHPasswordGuessingDetector.self).attemptThreshold == 12)
        // Slips' meaning: MB to one destination in one window (the per-flow limit is flow_upload_threshold).
        #expect(settings.settings(for: FlowAlertsDetector.self).dataUploadWindowThresholdMB == 50)
        #expect(settings.settings(for: FlowAlertsDetector.self).dataUploadFlowThresholdMB == 100)
    }

    @Test func dataUploadKeysHaveSlipsMeaning() throws {
        let flowAlerts = try parse("flow_alerts:\n  data_exfiltration_threshold: 700\n  flow_upload_threshold: 30\n")
            .settings(for: FlowAlertsDetector.self)
        #expect(flowAlerts.dataUploadWindowThresholdMB == 700 && flowAlerts.dataUploadFlowThresholdMB == 30)
        let older = try parse("flowalerts:\n  data_exfiltration_window_threshold: 42\n").settings(for: FlowAlertsDetector.self)
        #expect(older.dataUploadWindowThresholdMB == 42)
        #expect(throws: ConfigError.self) {
            try parse("flowalerts:\n  data_exfiltration_window_threshold: 42\n  data_exfiltration_threshold: 43\n")
        }
    }

    @Test("errors name the file, line, column and key", arguments: [
        ("network_discovery:\n  minimum_target: 3\n", "t.yaml:2:3: network_discovery.minimum_target: unknown key"),
        ("arp:\n  arp_scan_threshold: many\n", "t.yaml:2:23: arp.arp_scan_threshold: expected an integer, got 'many'"),
        ("flowalerts:\n  long_connection_threshold: 0\n",
         "t.yaml:2:30: flowalerts.long_connection_threshold: 0.0 is out of range 1.0...1000000000.0"),
        ("detection:\n  arp_scan_threshold: 0\n", "t.yaml:2:23: detection.arp_scan_threshold: 0 is out of range 1...1000000"),
        ("detection:\n  port_scan_minimum_targets: 3\nicmp_scan:\n  minimum_targets: 4\n",
         "t.yaml:2:3: detection.port_scan_minimum_targets: also set as icmp_scan.minimum_targets; keep one of them"),
        ("local_connection_detector:\n  threshold: 1\n", "t.yaml:2:3: local_connection_detector.threshold: unknown key"),
        ("network_discovery: 5\n", "t.yaml:1:20: network_discovery: expected a mapping of keys, got '5'"),
        ("network_discovery:\n  report_levels: [10, 0]\n", "t.yaml:2:18: network_discovery.report_levels: 0 is out of range 1...100000000"),
    ])
    func preciseErrors(yaml: String, message: String) {
        do {
            _ = try parse(yaml)
            Issue.record("no error for \(yaml)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func emptySectionsAreDefaults() throws {
        let settings = try parse("template:\nlocal_connection_detector:\n")
        #expect(settings.settings(for: TemplateDetector.self).port == 31337)
    }
}
