import NetCore

/// A key of a feed blocklist set: an IPv4 (`UInt32`) or IPv6 (`UInt128`) address as an integer in host order.
protocol FeedKey: FixedWidthInteger, UnsignedInteger, Sendable {
    /// Bytes of the kernel key (4 or 16).
    static var byteCount: Int { get }
    /// The family these keys belong to.
    static var family: IPAddress.Family { get }
    /// The first and last address of `range`, or nil when the range is of the other family.
    static func bounds(_ range: CIDR) -> (first: Self, last: Self)?
    /// The address of a key.
    static func address(_ key: Self) -> IPAddress
}

extension UInt32: FeedKey {
    static var byteCount: Int { 4 }
    static var family: IPAddress.Family { .ipv4 }
    static func bounds(_ range: CIDR) -> (first: UInt32, last: UInt32)? {
        guard range.network.isIPv4 else { return nil }
        let first = range.network.ipv4Value
        let hostBits = 32 - range.prefixLength
        let span: UInt32 = hostBits == 32 ? .max : (1 << UInt32(hostBits)) - 1
        return (first, first | span)
    }
    static func address(_ key: UInt32) -> IPAddress { IPAddress(ipv4: key) }
}

extension UInt128: FeedKey {
    static var byteCount: Int { 16 }
    static var family: IPAddress.Family { .ipv6 }
    static func bounds(_ range: CIDR) -> (first: UInt128, last: UInt128)? {
        guard !range.network.isIPv4 else { return nil }
        let first = UInt128(range.network.high) << 64 | UInt128(range.network.low)
        let hostBits = 128 - range.prefixLength
        let span: UInt128 = hostBits == 128 ? .max : (1 << UInt128(hostBits)) - 1
        return (first, first | span)
    }
    static func address(_ key: UInt128) -> IPAddress {
        IPAddress(high: UInt64(truncatingIfNeeded: key >> 64), low: UInt64(truncatingIfNeeded: key))
    }
}

/// One interval of a feed blocklist set, `first...last` inclusive, and the feed it is credited to (an index
/// into the blocklist's feed names). In the kernel it is two elements: `first` (with the timeout and the feed's
/// name as comment) and `last + 1` flagged `NFT_SET_ELEM_INTERVAL_END` (none when `last` is the top address).
struct AddressRange<Key: FeedKey>: Sendable, Equatable {
    var first: Key
    var last: Key
    var feed: UInt32

    /// True when the two ranges cover the same addresses (the feed credited does not matter to the kernel).
    func sameSpan(_ other: AddressRange) -> Bool { first == other.first && last == other.last }

    /// `first-last`, or the CIDR when the range is one.
    var description: String {
        let a = Key.address(first), b = Key.address(last)
        return a == b ? a.description : "\(a)-\(b)"
    }
}

/// Merging ranges into the form an nftables interval set accepts: sorted, no two overlapping or touching.
enum RangeMerge {
    /// Sorts `ranges` by their first address and merges every overlapping or adjacent pair; a merged range is
    /// credited to the feed of its first (lowest) part. O(n log n).
    static func merged<Key: FeedKey>(_ ranges: [AddressRange<Key>]) -> [AddressRange<Key>] {
        guard !ranges.isEmpty else { return [] }
        let sorted = ranges.sorted { $0.first != $1.first ? $0.first < $1.first : $0.last > $1.last }
        var result: [AddressRange<Key>] = []
        result.reserveCapacity(sorted.count)
        var current = sorted[0]
        for range in sorted.dropFirst() {
            // Adjacent (`current.last + 1 == range.first`) merges too, unless `current` already reaches the top.
            if current.last == Key.max || range.first <= current.last + 1 {
                if range.last > current.last { current.last = range.last }
            } else {
                result.append(current)
                current = range
            }
        }
        result.append(current)
        return result
    }
}
