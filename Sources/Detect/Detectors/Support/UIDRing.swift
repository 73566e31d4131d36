import NetCore
import Records

/// The most recent flow uids of something a detector counts (a scan, a series of attempts), for the evidence's
/// `uids` field: at most `capacity` of them, oldest overwritten first.
///
/// Storage grows one slot at a time up to `capacity`, and only when the caller says it took a budget unit for the
/// new slot (`newSlot`); otherwise the oldest uid is overwritten (or, with no slot at all, the uid is not kept).
public struct UIDRing {
    /// Most uids kept.
    public let capacity: Int
    private var storage: [FlowUID] = []
    private var head = 0

    /// Creates an empty ring.
    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Slots allocated (each one budget unit).
    public var slots: Int { storage.count }

    /// True when another uid would need a new slot (and so a budget unit).
    public var wantsSlot: Bool { storage.count < capacity }

    /// Adds a uid: into a new slot when `newSlot` (the caller reserved a unit for it), else over the oldest one.
    public mutating func append(_ uid: FlowUID, newSlot: Bool) {
        if newSlot, storage.count < capacity {
            storage.append(uid)
            return
        }
        guard !storage.isEmpty else { return }
        storage[head] = uid
        head = (head + 1) % storage.count
    }

    /// The uids kept, oldest first.
    public var uids: [FlowUID] {
        head == 0 ? storage : Array(storage[head...]) + Array(storage[..<head])
    }

    /// Forgets every uid; returns the number of slots freed (budget units to give back).
    public mutating func removeAll() -> Int {
        let freed = storage.count
        storage = []
        head = 0
        return freed
    }
}
