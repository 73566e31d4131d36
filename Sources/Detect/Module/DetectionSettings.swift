/// Detection settings, decoded from the YAML config by `slipsd` (keys named as Slips' `slips.yaml`).
public struct DetectionSettings: Sendable, Hashable {
    /// `detection.evidence_detection_threshold`: alert when Σ threat×confidence ≥ this × width / 60.
    public var evidenceDetectionThreshold: Double = 0.25
    /// `parameters.time_window_width` in seconds.
    public var timeWindowWidth: Double = 3600
    /// `parameters.only_one_tw`: one window covering the whole run.
    public var onlyOneTimeWindow: Bool = false
    /// `modules.disable`: detector names not to run.
    public var disabledModules: Set<String> = []
    /// `modules.enable`: detectors disabled by default that should run (e.g. `local_connection_detector`).
    public var enabledModules: Set<String> = []
    /// `disabled_detections`: evidence types that are dropped.
    public var disabledDetections: Set<EvidenceType> = []
    /// `detection.long_connection_threshold` seconds (Slips: 1500).
    public var longConnectionThreshold: Double = 1500
    /// `detection.data_exfiltration_threshold` in MB for one flow (Slips: 100 MB for a flow, 500 MB per window).
    public var dataUploadFlowThresholdMB: Double = 100
    public var dataUploadWindowThresholdMB: Double = 500
    /// `detection.ssh_password_guessing_threshold` (Slips: 9 attempts).
    public var sshPasswordGuessingThreshold: Int = 9
    /// `detection.arp_scan_threshold` targets within `arp_scan_interval` seconds (Slips: 5 in 30 s).
    public var arpScanThreshold: Int = 5
    public var arpScanInterval: Double = 30
    /// Port-scan targets after which evidence is first set (Slips: more than 5), then again at each level.
    public var portScanMinimumTargets: Int = 6
    public var portScanReportLevels: [Int] = [10, 100, 1000]
    /// `detection.reconnection_attempts_threshold` (Slips: 5 reconnections).
    public var reconnectionThreshold: Int = 5

    /// The default settings (Slips' defaults).
    public init() {}

    /// Σ threat × confidence per window at which an alert is generated.
    public var alertThreshold: Double { evidenceDetectionThreshold * timeWindowWidth / 60 }
}
