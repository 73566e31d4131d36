/// Detection settings, decoded from the YAML config by `slipsd` (keys named as Slips' `slips.yaml`): the shared
/// ones, and each detector's own settings from its section.
public struct DetectionSettings: Sendable {
    /// `detection.evidence_detection_threshold`: alert when Σ threat×confidence ≥ this × width / 60.
    public var evidenceDetectionThreshold: Double = 0.25
    /// `parameters.time_window_width` in seconds.
    public var timeWindowWidth: Double = 3600
    /// `parameters.only_one_tw` (or `time_window_width: only_one_tw`): one window covering the whole run, of
    /// Slips' width `TimeWindowClock.onlyOneWindowWidthSeconds`.
    public var onlyOneTimeWindow: Bool = false
    /// `modules.disable`: detector names not to run.
    public var disabledModules: Set<String> = []
    /// `modules.enable`: detectors disabled by default that should run (e.g. `local_connection_detector`).
    public var enabledModules: Set<String> = []
    /// `disabled_detections`: evidence types that are dropped.
    public var disabledDetections: Set<EvidenceType> = []
    /// Each detector's settings by detector name, decoded from the section of that name. A detector missing
    /// here runs with its defaults.
    public var detectorSettings: [String: any DetectorSettings] = [:]
    /// The IoC lists the `threat_intelligence` detector matches, loaded by slipsd from `threatintelligence:`.
    public var threatIntelligence = ThreatIntelLists()
    /// The organizations of the whitelist with their domains and ranges (slipsd loads them from
    /// `whitelists.organizations_info_path`): the TLS checks ask them who owns a certificate's claimed name.
    public var organizations: [WhitelistOrganization] = []

    /// The default settings (Slips' defaults).
    public init() {}

    /// Σ threat × confidence per window at which an alert is generated.
    public var alertThreshold: Double { evidenceDetectionThreshold * effectiveWindowWidth / 60 }

    /// The width Slips computes the threshold with: `timeWindowWidth`, or 9999999999 s with `only_one_tw` (so, as
    /// in Slips, a single-window run needs that much more evidence for an alert).
    public var effectiveWindowWidth: Double {
        onlyOneTimeWindow ? TimeWindowClock.onlyOneWindowWidthSeconds : timeWindowWidth
    }

    /// The settings `detector` runs with: those set for it, else its defaults.
    public func settings<D: Detector>(for detector: D.Type) -> D.Settings {
        detectorSettings[D.name] as? D.Settings ?? D.Settings()
    }

    /// Sets the settings `detector` runs with (what the configuration loader does with the detector's section).
    public mutating func setSettings<D: Detector>(_ value: D.Settings, for detector: D.Type) {
        detectorSettings[D.name] = value
    }
}
