import NetCore

/// The self-protection check of feed entries: an entry whose range covers (or overlaps) any address or range
/// `SelfProtection` guards — the gateway's own addresses, its gateways and resolvers, loopback, multicast, the
/// allowlist — is not loaded. Built once per update from `SelfProtection.rules`: sorted, merged intervals for
/// an O(log n) test per entry; the reason is looked up in the rules only for an entry that is refused.
struct FeedProtection {
    private let rules: [SelfProtection.Rule]
    private let ipv4: [AddressRange<UInt32>]
    private let ipv6: [AddressRange<UInt128>]

    /// - Parameter rules: the protected ranges and their reasons (empty: nothing is refused).
    init(rules: [SelfProtection.Rule]) {
        self.rules = rules
        ipv4 = RangeMerge.merged(rules.compactMap { UInt32.bounds($0.range).map { AddressRange(first: $0.first, last: $0.last, feed: 0) } })
        ipv6 = RangeMerge.merged(rules.compactMap { UInt128.bounds($0.range).map { AddressRange(first: $0.first, last: $0.last, feed: 0) } })
    }

    /// Why `range` must not be loaded, or nil: "it covers 10.0.0.1/32, which is an address of interface eth0".
    func refusal(_ range: CIDR) -> String? {
        let hit = range.network.isIPv4
            ? UInt32.bounds(range).map { Self.overlaps(ipv4, $0.first, $0.last) } ?? false
            : UInt128.bounds(range).map { Self.overlaps(ipv6, $0.first, $0.last) } ?? false
        guard hit else { return nil }
        let rule = rules.first { Self.intersect(range, $0.range) }
        return rule.map { "it covers \($0.range), which \($0.reason)" } ?? "it covers a protected address"
    }

    /// True when a range of the sorted, disjoint `list` intersects `first...last` (binary search).
    static func overlaps<Key: FeedKey>(_ list: [AddressRange<Key>], _ first: Key, _ last: Key) -> Bool {
        var low = 0, high = list.count          // first index whose `last` >= first
        while low < high {
            let mid = (low + high) / 2
            if list[mid].last < first { low = mid + 1 } else { high = mid }
        }
        return low < list.count && list[low].first <= last
    }

    private static func intersect(_ a: CIDR, _ b: CIDR) -> Bool {
        guard a.network.family == b.network.family else { return false }
        return a.contains(b.network) || b.contains(a.network)
    }
}
