import NetCore

/// What the kernel's feed sets hold, for `slipsd --list-blocked`: per set, the ranges per feed (from each
/// start element's comment), the shortest time left, and the packets its drop rules counted.
public struct FeedInventory: Sendable, Equatable {
    /// One feed set (`feedhost4`, `feed4`, `feedhost6`, `feed6`, and per busy prefix length `feedp28_4`, …).
    public struct SetSummary: Sendable, Equatable {
        /// The set's name.
        public var set: String
        /// Ranges (intervals) in the set.
        public var ranges: Int
        /// Ranges per feed name (an element without a comment counts under "-").
        public var rangesPerFeed: [String: Int]
        /// Shortest time left among the elements, nil when none has a timeout.
        public var soonestExpiry: Duration?
        /// Packets and bytes dropped by the rules that look up this set (all chains).
        public var droppedPackets: UInt64
        public var droppedBytes: UInt64
    }

    /// The feed sets found (empty when the table has none).
    public var sets: [SetSummary]
}

extension FeedBlocklist {
    static func inventory(table: String, socket: NetlinkSocket) throws -> FeedInventory {
        let counters = try FeedRuleCounters.bySet(table: table, on: socket)
        var sets: [FeedInventory.SetSummary] = []
        // The per-length sets exist only while a feed needs them; each has drop rules, so the counters name them.
        let prefixSets = Set(counters.keys.compactMap { BlockerLayout.FeedPrefixSet(name: $0) }).sorted()
        let names = [(IPAddress.Family.ipv4, true), (.ipv4, false), (.ipv6, true), (.ipv6, false)]
            .map { BlockerLayout.feedSet(for: $0.0, hosts: $0.1) } + prefixSets.map(\.name)
        for name in names {
            let dumped: [NftQuery.DumpedElement]
            do {
                dumped = try NftQuery.elements(.inet, table: table, set: name, on: socket)
            } catch let error as BlockerError where error.isNotFound {
                continue
            }
            var perFeed: [String: Int] = [:]
            var ranges = 0
            var soonest: UInt64?
            // Start elements carry the timeout (and the comment); end elements neither.
            for element in dumped where element.timeoutMilliseconds != nil || !element.userdata.isEmpty {
                ranges += 1
                perFeed[ElementUserData.decode(element.userdata).reason ?? "-", default: 0] += 1
                if let left = element.expirationMilliseconds { soonest = min(soonest ?? left, left) }
            }
            let counter = counters[name] ?? FeedRuleCounters.Counter()
            sets.append(.init(set: name, ranges: ranges, rangesPerFeed: perFeed,
                              soonestExpiry: soonest.map { .milliseconds(Int64(clamping: $0)) },
                              droppedPackets: counter.packets, droppedBytes: counter.bytes))
        }
        return FeedInventory(sets: sets)
    }
}
