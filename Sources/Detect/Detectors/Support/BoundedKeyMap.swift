/// A map from any hashable key (an address, a MAC, a domain) to a small value that never holds more than
/// `capacity` entries, remembered in a fixed ring of insertion order (`BoundedUIDMap` is it keyed by flow uid). Part of the
/// detector kit.
///
/// Inserting a new key into a full map forgets the key inserted `capacity` insertions earlier (if it is still
/// present), so a key is remembered for at least the next `capacity` insertions and memory stays at
/// `capacity` × (ring slot + dictionary entry) whatever the traffic. Updating a present key keeps its place.
/// A removed key leaves its ring slot stale; a per-insertion sequence number keeps a stale slot from evicting the
/// key when it is inserted again later.
/// `evicted` counts the keys forgotten that way (for tests and metrics). Confined to the detection thread.
public struct BoundedKeyMap<Key: Hashable, Value> {
    private struct Stored { var sequence: UInt64; var value: Value }
    private struct Slot { var key: Key; var sequence: UInt64 }

    /// Most entries kept at once.
    public let capacity: Int
    private var values: [Key: Stored] = [:]
    private var ring: [Slot] = []
    private var head = 0
    private var nextSequence: UInt64 = 0
    /// Keys forgotten to make room.
    public private(set) var evicted = 0

    /// Creates an empty map; `capacity` is at least 1.
    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Entries held now (≤ `capacity`).
    public var count: Int { values.count }

    /// The value stored for `key`, if it is still remembered.
    public subscript(key: Key) -> Value? { values[key]?.value }

    /// Stores `value` for `key`; a new key in a full map takes the oldest key's place.
    public mutating func set(_ value: Value, for key: Key) {
        if let index = values.index(forKey: key) {           // one hash for a present key, changed in place
            values.values[index].value = value
            return
        }
        let sequence = nextSequence
        nextSequence &+= 1
        let slot = Slot(key: key, sequence: sequence)
        if ring.count < capacity {
            ring.append(slot)
        } else {
            let old = ring[head]
            if values[old.key]?.sequence == old.sequence {
                values[old.key] = nil
                evicted += 1
            }
            ring[head] = slot
            head = (head + 1) % capacity
        }
        values[key] = Stored(sequence: sequence, value: value)
    }

    /// Changes the value of a present key in place; returns nil (and stores nothing) when the key is absent.
    @discardableResult
    public mutating func update<R>(_ key: Key, _ body: (inout Value) -> R) -> R? {
        guard let index = values.index(forKey: key) else { return nil }
        return body(&values.values[index].value)
    }

    /// Forgets `key` and returns its value, if it was remembered (its ring slot goes stale).
    @discardableResult
    public mutating func removeValue(for key: Key) -> Value? { values.removeValue(forKey: key)?.value }

    /// Forgets every entry for which `drop` is true (a sweep of old entries).
    public mutating func removeAll(where drop: (Key, Value) -> Bool) {
        values = values.filter { !drop($0.key, $0.value.value) }
    }
}
