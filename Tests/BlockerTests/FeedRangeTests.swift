import NetCore
import Testing
@testable import Blocker

/// Merging, diffing and self-protection of feed ranges (no kernel).
@Suite("Feed blocklist ranges")
struct FeedRangeTests {
    static func ranges4(_ texts: [String], feed: UInt32 = 0) -> [AddressRange<UInt32>] {
        texts.map { let (a, b) = UInt32.bounds(CIDR($0)!)!; return AddressRange(first: a, last: b, feed: feed) }
    }

    @Test("CIDR bounds: /0, /8, /32 for IPv4; /64 and /128 for IPv6")
    func bounds() {
        #expect(UInt32.bounds(CIDR("0.0.0.0/0")!)! == (0, .max))
        #expect(UInt32.bounds(CIDR("10.0.0.0/8")!)! == (0x0A00_0000, 0x0AFF_FFFF))
        #expect(UInt32.bounds(CIDR("192.0.2.7")!)! == (0xC000_0207, 0xC000_0207))
        #expect(UInt32.bounds(CIDR("fd00::/8")!) == nil)
        let (first, last) = UInt128.bounds(CIDR("fd61:2::/64")!)!
        #expect(UInt128.address(first) == IPAddress("fd61:2::")!)
        #expect(UInt128.address(last) == IPAddress("fd61:2::ffff:ffff:ffff:ffff")!)
        #expect(UInt128.bounds(CIDR("::/0")!)! == (0, .max))
    }

    @Test("overlapping, nested, adjacent and duplicate ranges merge; distant ones stay apart")
    func merging() {
        let merged = RangeMerge.merged(Self.ranges4(["10.0.0.0/8", "10.1.2.3", "192.0.2.128/25", "192.0.2.0/25",
                                                    "198.51.100.1", "198.51.100.1", "198.51.100.3",
                                                    "255.255.255.0/24", "255.255.255.255"]))
        #expect(merged.map(\.description) == ["10.0.0.0-10.255.255.255", "192.0.2.0-192.0.2.255", "198.51.100.1",
                                              "198.51.100.3", "255.255.255.0-255.255.255.255"])
        #expect(RangeMerge.merged(Self.ranges4(["0.0.0.0/1", "128.0.0.0/1"])).map(\.description) == ["0.0.0.0-255.255.255.255"])
    }

    @Test("diff: kept, removed, added; a widened range is one group with its old extent (delete before add)")
    func diffing() {
        let old = RangeMerge.merged(Self.ranges4(["10.0.0.0/24", "192.0.2.1", "198.51.100.0/24"]))
        let new = RangeMerge.merged(Self.ranges4(["10.0.0.0/23", "192.0.2.1", "203.0.113.5"]))
        let diff = RangeDiff(old: old, new: new)
        #expect(diff.kept.map(\.description) == ["192.0.2.1"])
        #expect(diff.removed.map(\.description) == ["10.0.0.0-10.0.0.255", "198.51.100.0-198.51.100.255"])
        #expect(diff.added.map(\.description) == ["10.0.0.0-10.0.1.255", "203.0.113.5"])
        // With one range per chunk, the widened 10.0.0.0 pair still shares a chunk; the others stand alone.
        let chunks = diff.chunks(maximumRanges: 1)
        #expect(chunks.count == 3)
        #expect(chunks[0].removed.map(\.description) == ["10.0.0.0-10.0.0.255"])
        #expect(chunks[0].added.map(\.description) == ["10.0.0.0-10.0.1.255"])
        #expect(chunks[1].removed.count == 1 && chunks[1].added.isEmpty)
        #expect(chunks[2].added.count == 1 && chunks[2].removed.isEmpty)
        #expect(diff.chunks(maximumRanges: 100).count == 1)
    }

    @Test("an entry covering a protected address or range is refused with the rule's reason")
    func protection() {
        let rules = [SelfProtection.Rule(range: CIDR("10.61.2.2/32")!, reason: "is a resolver in /etc/resolv.conf"),
                     SelfProtection.Rule(range: CIDR("0.0.0.0/32")!, reason: "is the unspecified address"),
                     SelfProtection.Rule(range: CIDR("fd61:1::1/128")!, reason: "is an address of interface x")]
        let check = FeedProtection(rules: rules)
        #expect(check.refusal(CIDR("10.61.0.0/16")!) == "it covers 10.61.2.2/32, which is a resolver in /etc/resolv.conf")
        #expect(check.refusal(CIDR("10.61.2.2")!) != nil)
        #expect(check.refusal(CIDR("0.0.0.0/8")!)?.contains("unspecified") == true)
        #expect(check.refusal(CIDR("10.61.2.3")!) == nil)
        #expect(check.refusal(CIDR("10.61.3.0/24")!) == nil)
        #expect(check.refusal(CIDR("fd61::/16")!)?.contains("interface x") == true)
        #expect(check.refusal(CIDR("fd62::/16")!) == nil)
    }
}
