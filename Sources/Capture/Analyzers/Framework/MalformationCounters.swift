/// A malformation kind of an application analyzer: a case per kind with a stable label; raw values are the
/// cases' positions (declare the enum `: UInt8`), so counting is an array index.
public protocol AnalyzerMalformation: Error, CaseIterable, Sendable, RawRepresentable, Equatable
    where AllCases == [Self], RawValue == UInt8 {
    /// The stable label used in counters and logs.
    var label: String { get }
}

/// Counts one analyzer's malformations by kind (as `DecodeError` is counted for packet headers): a fixed array
/// indexed by the case's raw value, no allocation per count.
public struct MalformationCounters<Kind: AnalyzerMalformation>: Sendable, Equatable {
    private var counts = [UInt64](repeating: 0, count: Kind.allCases.count)

    /// No malformation counted yet.
    public init() {}

    /// Counts one malformation.
    @inline(__always)
    public mutating func count(_ kind: Kind) { counts[Int(kind.rawValue)] &+= 1 }

    /// How often `kind` was seen.
    public subscript(kind: Kind) -> UInt64 { counts[Int(kind.rawValue)] }

    /// All malformations counted.
    public var total: UInt64 { counts.reduce(0, &+) }

    /// The non-zero counters by label, for summaries.
    public var nonZero: [(label: String, count: UInt64)] {
        Kind.allCases.compactMap { counts[Int($0.rawValue)] == 0 ? nil : ($0.label, counts[Int($0.rawValue)]) }
    }
}
