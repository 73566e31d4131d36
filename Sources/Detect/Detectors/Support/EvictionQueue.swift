/// A first-in first-out queue of keys whose state may be dropped to make room in a full budget
/// (`ProfileWindowTable`, `ARPScanDetector`). An array and the index of its first live element: appending and
/// popping are amortised O(1); the popped prefix is given back once it is at least half of the array.
/// Confined to the detection thread, like its owner.
struct EvictionQueue<Key> {
    private var items: [Key] = []
    private var head = 0

    /// Keys queued.
    var count: Int { items.count - head }

    /// Queues `key` last.
    mutating func append(_ key: Key) { items.append(key) }

    /// Takes the first key, if any.
    mutating func popFirst() -> Key? {
        guard head < items.count else { return nil }
        let first = items[head]
        head += 1
        if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return first
    }

    /// Forgets the keys for which `drop` is true, keeping the order of the others.
    mutating func removeAll(where drop: (Key) -> Bool) {
        items = items[head...].filter { !drop($0) }
        head = 0
    }
}
