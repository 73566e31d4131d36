/// The settings of the port-scan detector (`network_discovery:` section): when a growing count of distinct
/// targets is reported. Slips' log10 buckets: first at 10 targets, then at each further power of ten.
///
/// ```yaml
/// network_discovery:
///   minimum_targets: 10                            # first evidence (Slips: int(log10(n)) reaches 1)
///   report_levels: [100, 1000, 10000, 100000]      # then again at each of these
/// ```
///
/// `detection.port_scan_minimum_targets` (the older key) sets `minimum_targets`.
public struct ScanReportSettings: DetectorSettings, Equatable {
    /// Distinct targets at which evidence is first set.
    public var minimumTargets = 10
    /// Further counts at which evidence is set again (those ≤ `minimumTargets` are ignored).
    public var reportLevels = ScanReportSettings.powersOfTen

    /// The levels to report at.
    public var levels: ReportLevels { ReportLevels(minimum: minimumTargets, further: reportLevels) }

    /// Slips' buckets above the first: 100, 1000, 10000, 100000 (a scan of one host has at most 65,536 ports).
    public static let powersOfTen = [100, 1000, 10_000, 100_000]

    /// Slips' defaults.
    public init() {}

    /// Creates settings with the given levels.
    public init(minimumTargets: Int, reportLevels: [Int] = ScanReportSettings.powersOfTen) {
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
