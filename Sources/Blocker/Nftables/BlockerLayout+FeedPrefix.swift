import NetCore
internal import CNftnl

/// The per-prefix-length feed sets: when a feed holds many CIDRs of one prefix length (`FeedBlocklist`'s
/// threshold), those go to a hash set keyed by the masked address instead of the interval set, so a packet pays
/// one hash lookup per such length rather than a walk down a large rbtree:
///
/// ```
/// set feedp28_4 { type ipv4_addr; flags timeout; }       # networks of the /28 entries
/// chain prerouting { …  ip saddr & 255.255.255.240 @feedp28_4 counter drop }
/// chain forward    { …  ip daddr & 255.255.255.240 @feedp28_4 counter drop }
/// chain output     { …  ip daddr & 255.255.255.240 @feedp28_4 counter drop }
/// ```
/// They exist only while a feed needs them (created and deleted by `FeedBlocklist.update`); `setUp`, which
/// flushes the chains, puts the rules of those it finds back in the same transaction.
extension BlockerLayout {
    /// A per-prefix-length feed set: its family and prefix length.
    struct FeedPrefixSet: Hashable, Comparable, Sendable {
        var family: IPAddress.Family
        var length: Int

        /// `feedp28_4`, `feedp48_6`.
        var name: String { "feedp\(length)_\(family == .ipv4 ? 4 : 6)" }

        /// Parses a set name made by `name`; nil for any other name or an impossible length.
        init?(name: String) {
            guard name.hasPrefix("feedp"), let underscore = name.lastIndex(of: "_") else { return nil }
            let digits = name[name.index(name.startIndex, offsetBy: 5)..<underscore]
            guard let length = Int(digits), String(length) == digits else { return nil }
            let family: IPAddress.Family
            switch name[name.index(after: underscore)...] {
            case "4": family = .ipv4
            case "6": family = .ipv6
            default: return nil
            }
            guard length >= 1, length < (family == .ipv4 ? 32 : 128) else { return nil }
            self.family = family
            self.length = length
        }

        init(family: IPAddress.Family, length: Int) {
            self.family = family
            self.length = length
        }

        /// Set id inside a batch (rules created with the set reference it by id).
        var id: UInt32 { UInt32(family == .ipv4 ? 100 : 300) + UInt32(length) }

        /// The network mask of `length` bits, in network byte order (4 or 16 bytes).
        var mask: [UInt8] {
            let bytes = family == .ipv4 ? 4 : 16
            return (0..<bytes).map { i in
                let bits = min(8, max(0, length - 8 * i))
                return bits == 8 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF00 >> bits)
            }
        }

        static func < (a: FeedPrefixSet, b: FeedPrefixSet) -> Bool {
            a.family != b.family ? a.family == .ipv4 : a.length < b.length
        }
    }

    /// `<family> saddr|daddr & <mask> @feedp…` `counter drop`: the masked address looked up in the set.
    func feedPrefixDropRule(_ prefix: FeedPrefixSet, source: Bool) -> [NftExpression] {
        var expressions = dropRule(family: prefix.family, source: source, feed: true)
        // dropRule is [meta, cmp, payload, lookup, counter, verdict]: mask after the load, look up this set.
        expressions[3] = .lookup(register: NftExpression.register1, setName: prefix.name, setID: prefix.id)
        expressions.insert(.bitwise(register: NftExpression.register1, mask: prefix.mask,
                                    xor: [UInt8](repeating: 0, count: prefix.mask.count)), at: 3)
        return expressions
    }

    /// The `nft` text of the rule for error messages.
    static func feedPrefixSummary(_ prefix: FeedPrefixSet, source: Bool) -> String {
        let field = (prefix.family == .ipv4 ? "ip " : "ip6 ") + (source ? "saddr" : "daddr")
        return "\(field) & /\(prefix.length) @\(prefix.name) counter drop"
    }

    /// The chains that drop feed entries (prerouting by source, forward and output by destination).
    var feedChains: [Chain] { chains.filter { $0.name != "input" } }

    /// Appends the creation of `prefix`'s set (create if missing) and its drop rules to `transaction`.
    func appendFeedPrefixSet(_ prefix: FeedPrefixSet, to transaction: NftTransaction) {
        NftMessages.set(.inet, table: table, name: prefix.name,
                        keyType: prefix.family == .ipv4 ? Self.ipv4KeyType : Self.ipv6KeyType,
                        keyLength: prefix.family == .ipv4 ? 4 : 16, flags: UInt32(NFT_SET_TIMEOUT.rawValue),
                        id: prefix.id, garbageCollectionMilliseconds: Self.garbageCollectionMilliseconds,
                        to: transaction)
        appendFeedPrefixRules(prefix, to: transaction)
    }

    /// Appends only the drop rules of `prefix` (the set exists).
    func appendFeedPrefixRules(_ prefix: FeedPrefixSet, to transaction: NftTransaction) {
        for chain in feedChains {
            NftMessages.rule(.inet, table: table, chain: chain.name,
                             expressions: feedPrefixDropRule(prefix, source: chain.matchesSource),
                             summary: Self.feedPrefixSummary(prefix, source: chain.matchesSource), to: transaction)
        }
    }
}
