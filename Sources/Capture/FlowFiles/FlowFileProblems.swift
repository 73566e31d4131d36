/// Counts the skipped and bad lines of a run by kind and keeps where each kind was first met. Confined to the
/// reading thread; its values are copied into the run's summary at the end.
public struct FlowFileProblems: Sendable {
    /// One kind of bad line: how many, and the first one.
    public struct Entry: Sendable {
        public var kind: FlowProblemKind
        public var count: Int
        /// `file:line` of the first line of this kind.
        public var firstLocation: String
        /// What was wrong with it.
        public var firstDetail: String
    }

    /// Bad lines by kind, in the order they were first met.
    public private(set) var entries: [Entry] = []
    /// Skipped good lines by kind, in the order they were first met.
    public private(set) var skipped: [(kind: FlowSkipKind, count: Int)] = []

    public init() {}

    /// Every bad line counted.
    public var problemCount: Int { entries.reduce(0) { $0 + $1.count } }

    /// Counts a bad line; true when it is the first of its kind (the caller reports it then, once).
    mutating func count(_ kind: FlowProblemKind, at location: @autoclosure () -> String,
                        detail: @autoclosure () -> String) -> Bool {
        if let index = entries.firstIndex(where: { $0.kind == kind }) {
            entries[index].count += 1
            return false
        }
        entries.append(Entry(kind: kind, count: 1, firstLocation: location(), firstDetail: detail()))
        return true
    }

    /// Counts a skipped good line.
    mutating func skip(_ kind: FlowSkipKind, count: Int = 1) {
        if let index = skipped.firstIndex(where: { $0.kind == kind }) {
            skipped[index].count += count
        } else {
            skipped.append((kind, count))
        }
    }

    /// The count of bad lines of `kind`.
    public func count(of kind: FlowProblemKind) -> Int { entries.first { $0.kind == kind }?.count ?? 0 }

    /// The count of skipped lines of `kind`.
    public func skippedCount(of kind: FlowSkipKind) -> Int { skipped.first { $0.kind == kind }?.count ?? 0 }
}
