import Synchronization

/// Hands a freshly loaded `ThreatIntelLists` from slipsd's refresh thread to the `threat_intelligence` detector
/// without pausing detection: the refresh builds the new lists aside and `publish`es them; the detector checks
/// the generation (one relaxed atomic load per record, no lock) and takes the new lists once when it changed.
/// The old lists are released by the detector thread when it drops its copy.
public final class ThreatIntelUpdates: Sendable {
    private let generation = Atomic<Int>(0)
    private let latest = Mutex<ThreatIntelLists?>(nil)

    /// An empty hand-over (generation 0: nothing published yet).
    public init() {}

    /// Publishes `lists` (any thread). The detector picks them up at its next record.
    public func publish(_ lists: sending ThreatIntelLists) {
        latest.withLock { $0 = lists }
        generation.add(1, ordering: .releasing)
    }

    /// The number of lists published so far.
    public var currentGeneration: Int { generation.load(ordering: .acquiring) }

    /// The lists published after `seen`, with their generation; nil when none is newer.
    func newer(than seen: Int) -> (lists: ThreatIntelLists, generation: Int)? {
        let now = generation.load(ordering: .acquiring)
        guard now != seen, let lists = latest.withLock({ $0 }) else { return nil }
        return (lists, now)
    }
}
