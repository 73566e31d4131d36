import Capture
import Synchronization

/// The set of blocked IPs, shared between the blocker (writer, rare) and packet threads (readers, per packet).
///
/// Readers never lock per packet: each packet thread keeps a `BlockedAddresses.Reader` with its own copy of the
/// set and refreshes it only when the generation counter moved (one atomic load per packet).
public final class BlockedAddresses: Sendable {
    private let generation = Atomic<Int>(0)
    private let addresses = Mutex<Set<IPAddress>>([])

    public init() {}

    /// Replaces the set (after a block, an unblock, or an expiry sweep). Any thread.
    public func replace(with newAddresses: Set<IPAddress>) {
        addresses.withLock { $0 = newAddresses }
        generation.add(1, ordering: .releasing)
    }

    /// Adds addresses. Any thread.
    public func insert(_ newAddresses: some Sequence<IPAddress>) {
        addresses.withLock { $0.formUnion(newAddresses) }
        generation.add(1, ordering: .releasing)
    }

    /// Removes an address. Any thread.
    public func remove(_ address: IPAddress) {
        addresses.withLock { _ = $0.remove(address) }
        generation.add(1, ordering: .releasing)
    }

    /// A snapshot of the current set.
    public var snapshot: Set<IPAddress> { addresses.withLock { $0 } }

    /// A packet thread's view: `contains` costs one atomic load, plus a hash lookup when anything is blocked.
    /// Confined to one thread.
    public struct Reader {
        private let shared: BlockedAddresses
        private var seenGeneration = -1
        private var local: Set<IPAddress> = []

        public init(_ shared: BlockedAddresses) { self.shared = shared }

        /// True when `address` is blocked.
        public mutating func contains(_ address: IPAddress) -> Bool {
            let current = shared.generation.load(ordering: .acquiring)
            if current != seenGeneration {
                local = shared.snapshot
                seenGeneration = current
            }
            return !local.isEmpty && local.contains(address)
        }
    }
}
