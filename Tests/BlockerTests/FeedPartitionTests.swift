import NetCore
import Testing
@testable import Blocker

/// Splitting merged feed ranges between the host, interval and per-prefix-length sets, and the names, masks
/// and rules of the per-length sets (no kernel).
@Suite("Feed blocklist partition by prefix length")
struct FeedPartitionTests {
    static func merged(_ texts: [String]) -> [AddressRange<UInt32>] {
        RangeMerge.merged(FeedRangeTests.ranges4(texts))
    }

    @Test("CIDR cover of a range: aligned blocks in order, largest first where alignment allows")
    func blocks() {
        var seen: [String] = []
        let range = AddressRange<UInt32>(first: UInt32.bounds(CIDR("10.0.0.1")!)!.first,
                                         last: UInt32.bounds(CIDR("10.0.0.16")!)!.first, feed: 0)
        FeedPartition.forEachBlock(range) { block, length in seen.append("\(UInt32.address(block.first))/\(length)") }
        #expect(seen == ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/30", "10.0.0.8/29", "10.0.0.16/32"])
        var whole: [Int] = []
        FeedPartition.forEachBlock(AddressRange<UInt32>(first: 0, last: .max, feed: 0)) { _, length in whole.append(length) }
        #expect(whole == [0])
        var top: [String] = []
        FeedPartition.forEachBlock(AddressRange<UInt32>(first: 0xFFFF_FFF0, last: .max, feed: 0)) { b, l in
            top.append("\(UInt32.address(b.first))/\(l)")
        }
        #expect(top == ["255.255.255.240/28"])
        var v6: [Int] = []
        FeedPartition.forEachBlock(AddressRange<UInt128>(first: UInt128.bounds(CIDR("fd00::/48")!)!.first,
                                                         last: UInt128.bounds(CIDR("fd00:0:1::/48")!)!.last, feed: 0)) { _, l in
            v6.append(l)
        }
        #expect(v6 == [47])
    }

    @Test("a busy prefix length gets its blocks; rare lengths, hosts and mixed ranges stay in the main list")
    func split() {
        let list = Self.merged(["192.0.2.0/28", "192.0.2.64/28", "198.51.100.0/28", "203.0.113.7",
                                "10.0.0.0/8", "172.16.0.0/28", "172.16.0.16/29"])
        let part = FeedPartition(merged: list, threshold: 3)
        // Four /28 blocks; 172.16.0.0-172.16.0.23 is /28 + /29 and /29 is rare: the whole range stays.
        #expect(part.byLength.keys.sorted() == [28])
        #expect(part.byLength[28]?.map { UInt32.address($0.first).description } == ["192.0.2.0", "192.0.2.64", "198.51.100.0"])
        #expect(part.main.map(\.description) == ["10.0.0.0-10.255.255.255", "172.16.0.0-172.16.0.23", "203.0.113.7"])
        #expect(part.count == 6)
        // Below the threshold everything stays as it was merged.
        let rare = FeedPartition(merged: list, threshold: 5)
        #expect(rare.byLength.isEmpty)
        #expect(rare.main == list)
        // A range whose pieces are a busy length and single addresses: the pieces go to their sets.
        let odd = FeedPartition(merged: Self.merged(["192.0.2.0/28", "192.0.2.16", "198.51.100.0/28"]), threshold: 2)
        #expect(odd.byLength[28]?.count == 2)
        #expect(odd.main.map(\.description) == ["192.0.2.16"])
    }

    @Test("set names round-trip; masks in network order; the rule masks the loaded address before the lookup")
    func prefixSets() {
        let p28 = BlockerLayout.FeedPrefixSet(family: .ipv4, length: 28)
        #expect(p28.name == "feedp28_4")
        #expect(BlockerLayout.FeedPrefixSet(name: "feedp28_4") == p28)
        #expect(BlockerLayout.FeedPrefixSet(name: "feedp48_6") == .init(family: .ipv6, length: 48))
        for bad in ["feed4", "feedhost4", "feedp32_4", "feedp0_4", "feedp028_4", "feedp28_5", "feedp_4", "feedp129_6"] {
            #expect(BlockerLayout.FeedPrefixSet(name: bad) == nil, "\(bad)")
        }
        #expect(p28.mask == [255, 255, 255, 240])
        #expect(BlockerLayout.FeedPrefixSet(family: .ipv6, length: 52).mask
                == [255, 255, 255, 255, 255, 255, 0xF0] + [UInt8](repeating: 0, count: 9))
        let layout = BlockerLayout(table: "t", ipv4Set: "blocked4", ipv6Set: "blocked6", feedSets: true,
                                   feedPrefixSets: [p28])
        let rule = layout.feedPrefixDropRule(p28, source: true)
        #expect(rule[2] == .payloadLoad(base: 1, offset: 12, length: 4, register: NftExpression.register1))
        #expect(rule[3] == .bitwise(register: NftExpression.register1, mask: [255, 255, 255, 240], xor: [0, 0, 0, 0]))
        #expect(rule[4] == .lookup(register: NftExpression.register1, setName: "feedp28_4", setID: p28.id))
        #expect(rule.last == .verdict(0))   // NF_DROP
        // The set-up puts the rule back in every feed chain, not in input.
        for chain in layout.chains {
            let found = layout.rules(of: chain).contains { $0.1 == layout.feedPrefixDropRule(p28, source: chain.matchesSource) }
            #expect(found == (chain.name != "input"), "\(chain.name)")
        }
    }
}
