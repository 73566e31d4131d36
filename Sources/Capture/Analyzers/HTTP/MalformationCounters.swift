/// A malformation kind of an application analyzer (HTTP, SMTP, SSH, DHCP): a case per kind with a stable label.
public protocol AnalyzerMalformation: Error, CaseIterable, Sendable where AllCases == [Self] {
    /// The stable label used in counters and logs.
    var label: String { get }
}

/// Counts one analyzer's malformations by kind; a fixed array indexed by the case's position (no allocation per
/// count), as `DNSMalformationCounters` does for DNS.
public struct MalformationCounters<Kind: AnalyzerMalformation & Equatable>: Sendable, Equatable {
    private var counts = [UInt64](repeating: 0, count: Kind.allCases.count)

    /// No malformation counted yet.
    public init() {}

    /// Counts one malformation.
    @inline(__always)
    public mutating func count(_ kind: Kind) {
        if let index = Kind.allCases.firstIndex(of: kind) { counts[index] &+= 1 }
    }

    /// How often `kind` was seen.
    public subscript(kind: Kind) -> UInt64 { Kind.allCases.firstIndex(of: kind).map { counts[$0] } ?? 0 }

    /// All malformations counted.
    public var total: UInt64 { counts.reduce(0, &+) }

    /// The non-zero counters by label, for summaries.
    public var nonZero: [(label: String, count: UInt64)] {
        zip(Kind.allCases, counts).compactMap { $0.1 == 0 ? nil : ($0.0.label, $0.1) }
    }
}
