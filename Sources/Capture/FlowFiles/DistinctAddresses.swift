import NetCore

/// Counts distinct IP addresses (the profiles a run creates) with an open-addressing table of the addresses'
/// two words and a multiplicative hash: a fraction of the cost of `Set<IPAddress>` with its seeded SipHash, which
/// showed as 16 % of the flow-file reader's time under `perf`. Memory grows with the distinct count (32 bytes a
/// slot, at most half full). Not for untrusted keys where hash flooding matters: the worst case is linear probing,
/// which only slows this count. Confined to the reading thread.
struct DistinctAddresses {
    private var high: [UInt64]
    private var low: [UInt64]
    /// 0 empty, 1 IPv4, 2 IPv6.
    private var family: [UInt8]
    private var mask: Int
    /// Distinct addresses inserted.
    private(set) var count = 0

    init() {
        high = Array(repeating: 0, count: 1024)
        low = Array(repeating: 0, count: 1024)
        family = Array(repeating: 0, count: 1024)
        mask = 1023
    }

    /// Adds `address` if it is new.
    @inline(__always)
    mutating func insert(_ address: IPAddress) {
        let tag: UInt8 = address.isIPv4 ? 1 : 2
        var slot = Self.hash(address.high, address.low) & mask
        while family[slot] != 0 {
            if family[slot] == tag && low[slot] == address.low && high[slot] == address.high { return }
            slot = (slot + 1) & mask
        }
        family[slot] = tag
        high[slot] = address.high
        low[slot] = address.low
        count += 1
        if count * 2 > mask { grow() }
    }

    @inline(__always)
    private static func hash(_ high: UInt64, _ low: UInt64) -> Int {
        let mixed = (low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 31))
    }

    private mutating func grow() {
        let oldHigh = high, oldLow = low, oldFamily = family
        let size = (mask + 1) * 2
        high = Array(repeating: 0, count: size)
        low = Array(repeating: 0, count: size)
        family = Array(repeating: 0, count: size)
        mask = size - 1
        for index in oldFamily.indices where oldFamily[index] != 0 {
            var slot = Self.hash(oldHigh[index], oldLow[index]) & mask
            while family[slot] != 0 { slot = (slot + 1) & mask }
            family[slot] = oldFamily[index]
            high[slot] = oldHigh[index]
            low[slot] = oldLow[index]
        }
    }
}
