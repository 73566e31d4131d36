/// A first-in first-out queue of at most `capacity` items waiting for their time (a connection waiting for its
/// DNS answer, an answer waiting for its connection). Part of the detector kit.
///
/// Items are appended in packet-time order and taken from the front once due; appending to a full queue hands
/// back the oldest item, which the owner then judges early (or drops). An array and the index of its first live
/// item: amortised O(1), the taken prefix given back once it is at least half the array. Confined to the
/// detection thread, like its owner.
public struct PendingQueue<Item> {
    private var items: [Item] = []
    private var head = 0
    /// Most items held at once.
    public let capacity: Int

    /// An empty queue of at most `capacity` (≥ 1) items.
    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Items waiting.
    public var count: Int { items.count - head }

    /// The oldest item, if any.
    public var first: Item? { head < items.count ? items[head] : nil }

    /// Queues `item` last; when the queue was full, takes and returns the oldest item to make room.
    public mutating func append(_ item: Item) -> Item? {
        let pushedOut = count >= capacity ? popFirst() : nil
        items.append(item)
        return pushedOut
    }

    /// Takes the oldest item, if any.
    public mutating func popFirst() -> Item? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}
