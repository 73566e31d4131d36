/// Slips' threat levels and their numeric weights.
public enum ThreatLevel: String, Sendable, CaseIterable, Codable, Comparable {
    case info, low, medium, high, critical

    /// info 0, low 0.2, medium 0.5, high 0.8, critical 1.
    public var value: Double {
        switch self {
        case .info: 0
        case .low: 0.2
        case .medium: 0.5
        case .high: 0.8
        case .critical: 1
        }
    }

    public static func < (a: ThreatLevel, b: ThreatLevel) -> Bool { a.value < b.value }
}
