import Testing
@testable import slipsd
import Detect

/// A Slips user's own `slips.yaml` loads: keys slipsd does not use are listed as ignored, Slips' section and
/// module names map onto slipsd's, every Slips evidence type is accepted in `disabled_detections`, and a key
/// that is neither Slips' nor slipsd's is still an error with its place.
@Suite("Configuration: Slips' slips.yaml")
struct SlipsConfigFileTests {
    /// The shape of Slips 1.1.x's config/slips.yaml (its sections and keys, with Slips' defaults), written here.
    static let slipsShapedFile = """
    modes:
      stdout: slips.log
      stderr: errors.log
      logsfile: slips.log
    parameters:
      verbose: 1
      debug: 0
      time_window_width: 3600
      export_strato_letters: false
      analysis_direction: out
      delete_zeek_files: false
      store_a_copy_of_zeek_files: false
      store_zeek_files_in_the_output_dir: true
      metadata_dir: true
      pcapfilter: false
      tcp_inactivity_timeout: 60
      deletePrevdb: true
      label: normal
      rotation: true
      rotation_period: 1day
      keep_rotated_files_for: 1 day
      wait_for_modules_to_finish: 10080 mins
      export_labeled_flows: false
      export_format: json
      client_ips: []
    detection:
      evidence_detection_threshold: 0.25
      popup_alerts: false
    modules:
      disable: [template, threatintelligence, NetworkDiscovery]
      timeline_human_timestamp: true
    flowmldetection:
      mode: test
    virustotal:
      api_key_file: config/vt_api_key
      virustotal_update_period: 259200
    threatintelligence:
      wait_for_TI_to_finish: false
      local_threat_intelligence_files: config/local_ti_files/
      TI_files_update_period: 86400
    whitelists:
      enable_online_whitelist: True
      online_whitelist_update_period: 86400
      online_whitelist: https://tranco-list.eu/download/X5QNN/10000
      enable_local_whitelist: True
      local_whitelist_path: config/whitelist.conf
    flow_alerts:
      long_connection_threshold: 1500
      ssh_succesful_detection_threshold: 5000
      entropy_threshold: 4.5
      pastebin_download_threshold: 800
    brute_force_detector:
      ssh_attempt_threshold: 7
    exporting_alerts:
      export_to: []
      sensor_name: sensor1
    CESNET:
      send_alerts: false
    DisabledAlerts:
      disabled_detections: [DGA_NXDOMAINS, UNKNOWN_PORT]
    Docker:
      UID: 0
      GID: 0
    Profiling:
      cpu_profiler_enable: false
    web_interface:
      port: 55000
    global_p2p:
      use_global_p2p: False
    local_p2p:
      use_p2p: False
    """

    @Test func slipsOwnFileLoadsWithItsMeanings() throws {
        let settings = try ConfigLoader.parse(Self.slipsShapedFile, file: "slips.yaml")
        #expect(settings.detection.timeWindowWidth == 3600)
        #expect(settings.detection.evidenceDetectionThreshold == 0.25)
        #expect(settings.flows.tcpInactivityTimeout == 3600, "Slips' tcp_inactivity_timeout is in minutes")
        #expect(settings.detection.disabledModules == ["template", "network_discovery", "icmp_scan", "threat_intelligence"])
        #expect(settings.detection.disabledDetections == [.DGA_NXDOMAINS, .UNKNOWN_PORT])   // both are emitted now
        #expect(settings.whitelistPath == "config/whitelist.conf")
        #expect(settings.detection.settings(for: FlowAlertsDetector.self).longConnectionThreshold == 1500)
        #expect(settings.detection.settings(for: SSHPasswordGuessingDetector.self).attemptThreshold == 7)
        for name in ["modes", "parameters.verbose", "parameters.client_ips", "detection.popup_alerts",
                     "modules.timeline_human_timestamp", "flowmldetection", "virustotal", "threatintelligence.wait_for_TI_to_finish",
                     "whitelists.online_whitelist", "exporting_alerts", "CESNET",
                     "Docker", "Profiling", "web_interface", "global_p2p", "local_p2p"] {
            #expect(settings.ignoredSlipsKeys.contains(name), "\(name) not listed as ignored: \(settings.ignoredSlipsKeys)")
        }
        #expect(!settings.ignoredSlipsKeys.contains("parameters.time_window_width"))
        // Slips' flow_alerts keys reach the detectors that implement them, with Slips' meaning.
        #expect(settings.detection.settings(for: HighEntropyDNSAnswerDetector.self).entropyThreshold == 4.5)
        #expect(settings.detection.settings(for: SSHSuccessfulDetector.self).byteThreshold == 5000)
        #expect(settings.detection.settings(for: HTTPAnalyzerDetector.self).pastebinDownloadThreshold == 800)
        #expect(settings.detection.settings(for: PastebinTLSDownloadDetector.self).threshold == 800)
        #expect(!settings.ignoredSlipsKeys.contains { $0.hasPrefix("flow_alerts.") }, "\(settings.ignoredSlipsKeys)")
    }

    @Test func unknownKeysAreStillErrorsWithTheirPlace() {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("parameters:\n  time_widow_width: 60\n", file: "s.yaml") }
        do { _ = try ConfigLoader.parse("modes:\n  stdout: x\nflow_alerts:\n  long_conection_threshold: 9\n", file: "s.yaml") }
        catch { #expect(error.description.hasPrefix("s.yaml:4:"), "\(error)") }
        do { _ = try ConfigLoader.parse("modules:\n  disable: [nosuchmodule]\n", file: "s.yaml") } catch {
            #expect(error.description.contains("unknown detector or Slips module 'nosuchmodule'"), "\(error)")
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("DisabledAlerts:\n  disabled_detections: [NOT_A_TYPE]\n", file: "s.yaml")
        }
    }

    @Test func everyEvidenceTypeSlipsdEmitsIsOneOfSlips() {
        let own: Set<String> = ["TEMPLATE_EVIDENCE", "CONNECTION_TO_LOCAL_DEVICE", "MALICIOUS_JA4"]      // slipsd's additions
        for type in EvidenceType.allCases where !own.contains(type.rawValue) {
            #expect(SlipsEvidenceTypeNames.all.contains(type.rawValue), "\(type) is not a Slips evidence type")
        }
        #expect(SlipsEvidenceTypeNames.all.count == 65)
    }

    @Test func aDetectorsOwnSectionWinsOverTheSlipsKey() throws {
        let settings = try ConfigLoader.parse("""
        flow_alerts:
          entropy_threshold: 4.5
        high_entropy_dns_answer:
          entropy_threshold: 6
        """, file: "s.yaml")
        #expect(settings.detection.settings(for: HighEntropyDNSAnswerDetector.self).entropyThreshold == 6)
        #expect(settings.ignoredSlipsKeys.contains { $0.hasPrefix("flow_alerts.entropy_threshold") })
    }
}
