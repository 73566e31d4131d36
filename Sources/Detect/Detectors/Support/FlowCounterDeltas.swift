import NetCore
import Records

/// Turns the cumulative counters of interim and final records into increments, so that a flow reported several
/// times adds its packets or bytes once, and tells whether a record is the first one of its flow.
///
/// The flow table may publish interim records (`reason == .interim`) before the final one, each with the totals
/// so far. The last value of each flow that had an interim record is remembered until its final record (then
/// forgotten), so only live flows with interim reports are held — at most `capacity` of them, oldest forgotten
/// first. A flow forgotten because of the cap counts in full at its next record: an over-count bounded by what its
/// earlier records had already added.
public struct FlowCounterDeltas {
    private var lastValue: BoundedUIDMap<UInt64>

    /// Creates the tracker; `capacity` bounds the live flows it remembers.
    public init(capacity: Int = 65_536) { lastValue = BoundedUIDMap(capacity: capacity) }

    /// Flows remembered now.
    public var count: Int { lastValue.count }

    /// The increase of a cumulative counter (`value`) since the previous record of the same flow, and whether
    /// this is the first record seen of the flow.
    public mutating func update(_ record: ConnRecord, value: UInt64) -> (increment: UInt64, isFirstRecord: Bool) {
        let previous: UInt64?
        if record.reason == .interim {
            previous = lastValue[record.uid]
            lastValue.set(max(value, previous ?? 0), for: record.uid)
        } else {
            previous = lastValue.removeValue(for: record.uid)
        }
        let base = previous ?? 0
        return (value > base ? value - base : 0, previous == nil)
    }
}
