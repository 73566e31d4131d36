/// Where the merged ranges of one family go: a range that is one address to the host set, a range whose CIDR
/// blocks all have a "busy" prefix length (at least `threshold` blocks of that length over the whole list) as
/// those blocks to the per-length hash sets, every other range whole to the interval set. Keeps large
/// populations of one prefix length out of the interval set (an rbtree walked twice per forwarded packet) while
/// the prefix lengths that hold few entries cost no extra rule.
struct FeedPartition<Key: FeedKey>: Equatable {
    /// Single addresses (host set) and ranges (interval set), sorted and disjoint, as `RangeMerge` gives them.
    var main: [AddressRange<Key>] = []
    /// Per prefix length, the CIDR blocks (`first` the network, `last` its last address), sorted.
    var byLength: [Int: [AddressRange<Key>]] = [:]

    /// Splits `merged` (sorted, disjoint). O(n · bits).
    init(merged: [AddressRange<Key>], threshold: Int) {
        var counts = [Int](repeating: 0, count: Key.bitWidth + 1)
        for range in merged where range.first != range.last {
            Self.forEachBlock(range) { _, length in counts[length] += 1 }
        }
        let busy = counts.indices.map { $0 == Key.bitWidth || counts[$0] >= max(1, threshold) }
        for range in merged {
            guard range.first != range.last else { main.append(range); continue }
            var all = true
            Self.forEachBlock(range) { _, length in all = all && busy[length] }
            guard all else { main.append(range); continue }
            Self.forEachBlock(range) { block, length in
                if length == Key.bitWidth { main.append(block) } else { byLength[length, default: []].append(block) }
            }
        }
    }

    init() {}

    /// Entries in all parts.
    var count: Int { byLength.values.reduce(main.count) { $0 + $1.count } }

    /// Calls `body` with each CIDR block of the smallest cover of `range`, in order, and its prefix length.
    static func forEachBlock(_ range: AddressRange<Key>, _ body: (AddressRange<Key>, Int) -> Void) {
        var first = range.first
        while true {
            // The largest block aligned at `first` that does not pass `range.last`.
            var hostBits = first == 0 ? Key.bitWidth : first.trailingZeroBitCount
            while hostBits > 0 {
                let span: Key = hostBits == Key.bitWidth ? .max : (Key(1) << Key(hostBits)) - 1
                if span <= range.last - first { break }
                hostBits -= 1
            }
            let span: Key = hostBits == Key.bitWidth ? .max : (Key(1) << Key(hostBits)) - 1
            let last = first + span
            body(AddressRange(first: first, last: last, feed: range.feed), Key.bitWidth - hostBits)
            if last >= range.last { return }
            first = last + 1
        }
    }
}
