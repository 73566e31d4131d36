import NetCore
import Records

/// A map from flow uid to a small value that never holds more than `capacity` entries.
///
/// Insertion order is kept in a fixed ring of `capacity` slots: inserting into a full ring forgets the uid that was
/// inserted `capacity` insertions earlier (if it is still present). So a uid is remembered for at least the next
/// `capacity` insertions, and memory stays at `capacity` × (ring slot + dictionary entry) whatever the input.
/// Removing a uid leaves its ring slot stale; a per-insertion sequence number keeps a stale slot from evicting a
/// uid that was removed and inserted again later.
///
/// Used by detectors to recognise the interim and final records of one flow. Not `Sendable`: confined to the
/// detection thread like the detector that owns it.
public struct BoundedUIDMap<Value> {
    private struct Stored { var sequence: UInt64; var value: Value }
    private struct Slot { var uid: FlowUID; var sequence: UInt64 }

    /// Most entries kept at once.
    public let capacity: Int
    private var values: [FlowUID: Stored] = [:]
    private var ring: [Slot] = []
    private var head = 0
    private var nextSequence: UInt64 = 0

    /// Creates an empty map; `capacity` is at least 1.
    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Entries currently held (≤ `capacity`).
    public var count: Int { values.count }

    /// The value stored for `uid`, if it is still remembered.
    public subscript(uid: FlowUID) -> Value? { values[uid]?.value }

    /// Stores `value` for `uid`. Updating a present uid keeps its place in the eviction order.
    public mutating func set(_ value: Value, for uid: FlowUID) {
        if values[uid] != nil {
            values[uid]!.value = value
            return
        }
        let sequence = nextSequence
        nextSequence &+= 1
        let slot = Slot(uid: uid, sequence: sequence)
        if ring.count < capacity {
            ring.append(slot)
        } else {
            let old = ring[head]
            if values[old.uid]?.sequence == old.sequence { values[old.uid] = nil }
            ring[head] = slot
            head = (head + 1) % capacity
        }
        values[uid] = Stored(sequence: sequence, value: value)
    }

    /// Forgets `uid` and returns its value, if it was remembered.
    @discardableResult
    public mutating func removeValue(for uid: FlowUID) -> Value? {
        values.removeValue(forKey: uid)?.value
    }
}
