import NetCore
import Synchronization

/// The hosts whose packets the packet threads drop by verdict, each until a deadline: the in-process mirror of
/// the kernel's `blocked4`/`blocked6` sets. An entry ends when its kernel element ends (the same deadline), so
/// what `--list-blocked` shows and what the packet threads drop agree.
///
/// Written rarely (a block, an unblock, an expiry sweep; any thread), read per packet: readers never lock per
/// packet. Each packet thread keeps a `Reader` with its own copy, refreshed only when the generation counter
/// moved (one atomic load per packet), and compares deadlines with the packet's time (wall-clock inline).
public final class DropSet: Sendable {
    private let generation = Atomic<Int>(0)
    private let entries = Mutex<[IPAddress: PacketTime]>([:])

    /// An empty set.
    public init() {}

    /// Drops `address` until `deadline` (wall-clock, as the kernel element's timeout). A later deadline wins.
    public func insert(_ address: IPAddress, until deadline: PacketTime) {
        entries.withLock { map in
            if let existing = map[address], existing >= deadline { return }
            map[address] = deadline
        }
        generation.add(1, ordering: .releasing)
    }

    /// Stops dropping `address`.
    public func remove(_ address: IPAddress) {
        let removed = entries.withLock { $0.removeValue(forKey: address) != nil }
        if removed { generation.add(1, ordering: .releasing) }
    }

    /// Replaces every entry (start-up: the kernel's elements).
    public func replace(with newEntries: [IPAddress: PacketTime]) {
        entries.withLock { $0 = newEntries }
        generation.add(1, ordering: .releasing)
    }

    /// The entries whose deadline is after `now`; expired ones are removed.
    public func active(now: PacketTime) -> [IPAddress: PacketTime] {
        let (live, pruned) = entries.withLock { map -> ([IPAddress: PacketTime], Bool) in
            let before = map.count
            map = map.filter { $0.value > now }
            return (map, map.count != before)
        }
        if pruned { generation.add(1, ordering: .releasing) }
        return live
    }

    /// True when `address` is dropped at `now`. Takes the lock: for the control path, not per packet.
    public func contains(_ address: IPAddress, now: PacketTime) -> Bool {
        entries.withLock { map in map[address].map { $0 > now } ?? false }
    }

    fileprivate var currentGeneration: Int { generation.load(ordering: .acquiring) }
    fileprivate var copy: [IPAddress: PacketTime] { entries.withLock { $0 } }

    /// A packet thread's view: `isBlocked` costs one atomic load, plus a hash lookup while anything is blocked.
    /// Confined to one thread.
    public final class Reader {
        private let shared: DropSet
        private var seenGeneration = -1
        private var local: [IPAddress: PacketTime] = [:]

        /// A view of `shared`.
        public init(_ shared: DropSet) { self.shared = shared }

        /// True when packets from or to `address` are dropped at `now`.
        @inline(__always)
        public func isBlocked(_ address: IPAddress, now: PacketTime) -> Bool {
            let current = shared.currentGeneration
            if current != seenGeneration {
                local = shared.copy
                seenGeneration = current
            }
            guard !local.isEmpty, let deadline = local[address] else { return false }
            return deadline > now
        }
    }
}
