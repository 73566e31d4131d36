/// The difference between two sorted, disjoint range lists (what was loaded, what should be): the ranges kept
/// as they are, and groups of removed and added ranges that overlap or touch each other, which must change in
/// one transaction (deletes first) for the kernel to accept the adds and for no address to pass in between.
struct RangeDiff<Key: FeedKey> {
    /// Ranges in both lists with the same extent (credited to the old list's feed: the kernel keeps its comment).
    var kept: [AddressRange<Key>] = []
    /// Ranges only in the old list.
    var removed: [AddressRange<Key>] = []
    /// Ranges only in the new list.
    var added: [AddressRange<Key>] = []

    /// A transaction's worth of groups.
    struct Chunk {
        var removed: [AddressRange<Key>] = []
        var added: [AddressRange<Key>] = []
        var count: Int { removed.count + added.count }
    }

    /// Compares `old` and `new` (each sorted by `first` and disjoint). O(n).
    init(old: [AddressRange<Key>], new: [AddressRange<Key>]) {
        var i = 0, j = 0
        kept.reserveCapacity(min(old.count, new.count))
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i].sameSpan(new[j]) {
                kept.append(old[i]); i += 1; j += 1
            } else if j == new.count || (i < old.count && old[i].first < new[j].first) {
                removed.append(old[i]); i += 1
            } else if i == old.count || new[j].first < old[i].first {
                added.append(new[j]); j += 1
            } else {                                      // same first, different last
                removed.append(old[i]); added.append(new[j]); i += 1; j += 1
            }
        }
    }

    /// Cuts the removed and added ranges into chunks of about `maximumRanges`, never splitting a group of ranges
    /// that overlap or touch (a group larger than the limit is one chunk on its own).
    func chunks(maximumRanges: Int) -> [Chunk] {
        var result: [Chunk] = []
        var chunk = Chunk()
        var groupEnd: Key? = nil                          // highest `last` of the current group
        var i = 0, j = 0
        while i < removed.count || j < added.count {
            let takeRemoved = j == added.count || (i < removed.count && removed[i].first <= added[j].first)
            let range = takeRemoved ? removed[i] : added[j]
            let continuesGroup: Bool
            if let end = groupEnd { continuesGroup = end == Key.max || range.first <= end + 1 } else { continuesGroup = false }
            if !continuesGroup, chunk.count >= maximumRanges {
                result.append(chunk)
                chunk = Chunk()
            }
            if takeRemoved { chunk.removed.append(range); i += 1 } else { chunk.added.append(range); j += 1 }
            groupEnd = continuesGroup ? max(groupEnd!, range.last) : range.last
        }
        if chunk.count > 0 { result.append(chunk) }
        return result
    }
}
