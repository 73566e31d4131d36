import NetCore
import Records

/// Tells whether a flow record is the first one published for its uid.
///
/// The flow table may publish interim records (`reason == .interim`) before the final one. The uid of an interim
/// record is remembered until its final record arrives (then forgotten), so the set only holds flows that are
/// still live and had an interim report — at most `capacity` of them (oldest forgotten first).
public struct FlowFirstSighting {
    private var seenInterim: BoundedUIDMap<Void>

    /// Creates the tracker; `capacity` bounds the live flows with interim records it remembers.
    public init(capacity: Int = 65_536) { seenInterim = BoundedUIDMap(capacity: capacity) }

    /// True the first time a record of `record.uid` is seen, false for later records of the same flow.
    public mutating func isFirst(_ record: ConnRecord) -> Bool {
        if record.reason == .interim {
            if seenInterim[record.uid] != nil { return false }
            seenInterim.set((), for: record.uid)
            return true
        }
        return seenInterim.removeValue(for: record.uid) == nil
    }
}
