/// The settings of the scan detectors (`network_discovery:` and `icmp_scan:` sections): when a growing count
/// of distinct targets is reported.
///
/// ```yaml
/// network_discovery:
///   minimum_targets: 6            # first evidence (Slips: more than 5)
///   report_levels: [10, 100, 1000]  # then again at each of these
/// ```
///
/// `detection.port_scan_minimum_targets` (the older key) sets `minimum_targets` of both sections.
public struct ScanReportSettings: DetectorSettings, Equatable {
    /// Distinct targets at which evidence is first set.
    public var minimumTargets = 6
    /// Further counts at which evidence is set again (those ≤ `minimumTargets` are ignored).
    public var reportLevels = [10, 100, 1000]

    /// The levels to report at.
    public var levels: ReportLevels { ReportLevels(minimum: minimumTargets, further: reportLevels) }

    /// Slips' defaults.
    public init() {}

    /// Creates settings with the given levels.
    public init(minimumTargets: Int, reportLevels: [Int] = [10, 100, 1000]) {
        self.minimumTargets = minimumTargets; self.reportLevels = reportLevels
    }

    /// `detection.port_scan_minimum_targets` stands for `minimum_targets`.
    public static let legacyDetectionKeys = ["port_scan_minimum_targets": "minimum_targets"]

    enum CodingKeys: String, CodingKey {
        case minimumTargets = "minimum_targets", reportLevels = "report_levels"
    }

    /// Reads the section over the defaults.
    public init(from decoder: any Decoder) throws {
        self.init()
        let section = try decoder.container(keyedBy: CodingKeys.self)
        minimumTargets = try section.value(.minimumTargets, default: minimumTargets, in: 1...1_000_000)
        reportLevels = try section.value(.reportLevels, default: reportLevels, eachIn: 1...100_000_000)
    }
}
