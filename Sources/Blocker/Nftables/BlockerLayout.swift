import NetCore
internal import CNftnl

/// The ruleset the blocker owns, in table `inet <tableName>` (with `feedSets`, also the feed blocklists of
/// `FeedBlocklist`: single addresses in hash sets `feedhost4`/`feedhost6` (`flags timeout`), ranges in interval
/// sets `feed4`/`feed6` (`flags interval,timeout`), each dropped by `ip saddr @… counter drop` in prerouting and
/// `ip daddr @… counter drop` in forward and output, after the blocked-host rules):
///
/// ```
/// set blocked4 { type ipv4_addr; flags timeout; }          # key type 7, 4 bytes: blocked fully
/// set blocked6 { type ipv6_addr; flags timeout; }          # key type 8, 16 bytes
/// set blocked_new4 { type ipv4_addr; flags timeout; }      # only the connections it originates
/// set blocked_new6 { type ipv6_addr; flags timeout; }
/// chain prerouting { type filter hook prerouting priority raw (-300);
///     ip6 saddr ::ffff:0.0.0.0/96 counter drop            # IPv4-mapped sources never exist on the wire
///     ip saddr != 0.0.0.0 fib saddr . iif oif 0 counter drop    # reverse path (reversePathCheck): no route
///                                                             # back through the arrival interface
///     ip6 saddr != :: fib saddr . iif oif 0 counter drop
///     ip saddr @blocked4 counter drop;  ip6 saddr @blocked6 counter drop }   # from a blocked host: forwarded
///                                                                             # and local, before conntrack
/// chain forward { type filter hook forward priority -10;
///     ip daddr @blocked4 counter drop;  ip6 daddr @blocked6 counter drop     # forwarded to a blocked host,
///                                                                             # before the NFQUEUE rule at 0
///     ct state new ip saddr @blocked_new4 counter drop;  (ip6 likewise) }    # after conntrack (-200)
/// chain input { type filter hook input priority -10;
///     ct state new ip saddr @blocked_new4 counter drop;  (ip6 likewise) }
/// chain output { type filter hook output priority -10;
///     ip daddr @blocked4 counter drop;  ip6 daddr @blocked6 counter drop }   # from the gateway itself
/// ```
/// A full block drops both directions, as Slips does. A new-connections block drops only what the host starts:
/// replies to connections others opened to it, and those connections themselves, pass. The reverse-path rule
/// drops a source that would not be routed back through the interface it came in on (a spoofed neighbour's or
/// server's address from the wrong side); 0.0.0.0 and `::` (DHCP, duplicate address detection) are exempt.
struct BlockerLayout {
    /// A base chain and the direction its rules match.
    struct Chain {
        /// Chain name.
        var name: String
        /// `NF_INET_*` hook number.
        var hook: UInt32
        /// Chain priority.
        var priority: Int32
        /// True to match the source address, false for the destination.
        var matchesSource: Bool
    }

    /// nftables key type of `ipv4_addr`.
    static let ipv4KeyType: UInt32 = 7
    /// nftables key type of `ipv6_addr`.
    static let ipv6KeyType: UInt32 = 8
    /// Set id of `blocked4` inside the set-up batch.
    static let ipv4SetID: UInt32 = 1
    /// Set id of `blocked6` inside the set-up batch.
    static let ipv6SetID: UInt32 = 2
    /// Set ids of `blocked_new4` and `blocked_new6`.
    static let ipv4NewSetID: UInt32 = 3
    static let ipv6NewSetID: UInt32 = 4

    /// Table name.
    var table: String
    /// IPv4 set name.
    var ipv4Set: String
    /// IPv6 set name.
    var ipv6Set: String
    /// Whether prerouting drops sources that fail the reverse-path check.
    var reversePathCheck: Bool = true
    /// Whether the feed blocklist sets (`feed4`, `feed6`) and their drop rules are part of the layout.
    var feedSets: Bool = false
    /// The per-prefix-length feed sets that exist (found by `NftablesBlocker.setUp`), whose rules the set-up
    /// adds back after flushing the chains (see `BlockerLayout+FeedPrefix`).
    var feedPrefixSets: [FeedPrefixSet] = []

    /// Names of the feed blocklist sets (interval sets: CIDRs).
    static let feedIPv4Set = "feed4"
    static let feedIPv6Set = "feed6"
    /// Set ids of `feed4` and `feed6` inside the set-up batch.
    static let feedIPv4SetID: UInt32 = 5
    static let feedIPv6SetID: UInt32 = 6

    /// Names and ids of the feed host sets (hash sets: single addresses, O(1) lookups and fast loads).
    static let feedHostIPv4Set = "feedhost4"
    static let feedHostIPv6Set = "feedhost6"
    static let feedHostIPv4SetID: UInt32 = 7
    static let feedHostIPv6SetID: UInt32 = 8

    /// The feed set of a family: the interval set, or the host set.
    static func feedSet(for family: IPAddress.Family, hosts: Bool = false) -> String {
        switch (family, hosts) {
        case (.ipv4, false): feedIPv4Set
        case (.ipv6, false): feedIPv6Set
        case (.ipv4, true): feedHostIPv4Set
        case (.ipv6, true): feedHostIPv6Set
        }
    }

    private static func feedSetID(for family: IPAddress.Family, hosts: Bool) -> UInt32 {
        switch (family, hosts) {
        case (.ipv4, false): feedIPv4SetID
        case (.ipv6, false): feedIPv6SetID
        case (.ipv4, true): feedHostIPv4SetID
        case (.ipv6, true): feedHostIPv6SetID
        }
    }

    /// The four base chains.
    var chains: [Chain] {
        [Chain(name: "prerouting", hook: UInt32(NF_INET_PRE_ROUTING.rawValue), priority: -300, matchesSource: true),
         Chain(name: "forward", hook: UInt32(NF_INET_FORWARD.rawValue), priority: -10, matchesSource: false),
         Chain(name: "input", hook: UInt32(NF_INET_LOCAL_IN.rawValue), priority: -10, matchesSource: true),
         Chain(name: "output", hook: UInt32(NF_INET_LOCAL_OUT.rawValue), priority: -10, matchesSource: false)]
    }

    /// The set name for a family and scope (`blocked4`, `blocked_new6`, …).
    func setName(for family: IPAddress.Family, scope: BlockScope = .full) -> String {
        let base = family == .ipv4 ? ipv4Set : ipv6Set
        guard scope == .newConnections else { return base }
        // `blocked4` → `blocked_new4`; any other name gets `_new` appended.
        if let digit = base.last, digit.isNumber { return String(base.dropLast()) + "_new" + String(digit) }
        return base + "_new"
    }

    private func setID(for family: IPAddress.Family, scope: BlockScope) -> UInt32 {
        switch (family, scope) {
        case (.ipv4, .full): BlockerLayout.ipv4SetID
        case (.ipv6, .full): BlockerLayout.ipv6SetID
        case (.ipv4, .newConnections): BlockerLayout.ipv4NewSetID
        case (.ipv6, .newConnections): BlockerLayout.ipv6NewSetID
        }
    }

    private static func nfproto(_ family: IPAddress.Family) -> [NftExpression] {
        [.metaLoad(key: UInt32(NFT_META_NFPROTO.rawValue), register: NftExpression.register1),
         .compare(register: NftExpression.register1, op: UInt32(NFT_CMP_EQ.rawValue),
                  data: [family == .ipv4 ? UInt8(NFPROTO_IPV4) : UInt8(NFPROTO_IPV6)])]
    }

    private static func sourceAddress(_ family: IPAddress.Family) -> NftExpression {
        .payloadLoad(base: UInt32(NFT_PAYLOAD_NETWORK_HEADER.rawValue), offset: family == .ipv4 ? 12 : 8,
                     length: family == .ipv4 ? 4 : 16, register: NftExpression.register1)
    }

    /// `ct state new <family> saddr @blocked_new… counter drop`.
    func newConnectionDropRule(family: IPAddress.Family) -> [NftExpression] {
        let r = NftExpression.register1
        let newBit: [UInt8] = [8, 0, 0, 0]          // NF_CT_STATE_BIT(IP_CT_NEW), host order
        return Self.nfproto(family) + [
            .ctLoad(key: UInt32(NFT_CT_STATE.rawValue), register: r),
            .bitwise(register: r, mask: newBit, xor: [0, 0, 0, 0]),
            .compare(register: r, op: UInt32(NFT_CMP_NEQ.rawValue), data: [0, 0, 0, 0]),
            Self.sourceAddress(family),
            .lookup(register: r, setName: setName(for: family, scope: .newConnections),
                    setID: setID(for: family, scope: .newConnections)),
            .counter,
            .verdict(NF_DROP),
        ]
    }

    /// `<family> saddr != <unspecified> fib saddr . iif oif 0 counter drop` (nft's `oif missing`).
    func reversePathRule(family: IPAddress.Family) -> [NftExpression] {
        let r = NftExpression.register1
        let unspecified = [UInt8](repeating: 0, count: family == .ipv4 ? 4 : 16)
        return Self.nfproto(family) + [
            Self.sourceAddress(family),
            .compare(register: r, op: UInt32(NFT_CMP_NEQ.rawValue), data: unspecified),
            .fib(flags: UInt32(NFTA_FIB_F_SADDR.rawValue | NFTA_FIB_F_IIF.rawValue),
                 result: UInt32(NFT_FIB_RESULT_OIF.rawValue), register: r),
            .compare(register: r, op: UInt32(NFT_CMP_EQ.rawValue), data: [0, 0, 0, 0]),
            .counter,
            .verdict(NF_DROP),
        ]
    }

    /// `ip6 saddr ::ffff:0.0.0.0/96 counter drop`.
    func mappedSourceDropRule() -> [NftExpression] {
        let r = NftExpression.register1
        let prefix: [UInt8] = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]
        return Self.nfproto(.ipv6) + [
            .payloadLoad(base: UInt32(NFT_PAYLOAD_NETWORK_HEADER.rawValue), offset: 8, length: 12, register: r),
            .compare(register: r, op: UInt32(NFT_CMP_EQ.rawValue), data: prefix),
            .counter,
            .verdict(NF_DROP),
        ]
    }

    /// The expressions of the drop rule for one family and direction.
    func dropRule(family: IPAddress.Family, source: Bool, feed: Bool = false, hosts: Bool = false) -> [NftExpression] {
        let r = NftExpression.register1
        let nfproto: UInt8 = family == .ipv4 ? UInt8(NFPROTO_IPV4) : UInt8(NFPROTO_IPV6)
        let offset: UInt32 = switch (family, source) {
        case (.ipv4, true): 12
        case (.ipv4, false): 16
        case (.ipv6, true): 8
        case (.ipv6, false): 24
        }
        return [
            .metaLoad(key: UInt32(NFT_META_NFPROTO.rawValue), register: r),
            .compare(register: r, op: UInt32(NFT_CMP_EQ.rawValue), data: [nfproto]),
            .payloadLoad(base: UInt32(NFT_PAYLOAD_NETWORK_HEADER.rawValue), offset: offset,
                         length: family == .ipv4 ? 4 : 16, register: r),
            feed ? .lookup(register: r, setName: Self.feedSet(for: family, hosts: hosts),
                           setID: Self.feedSetID(for: family, hosts: hosts))
                 : .lookup(register: r, setName: setName(for: family), setID: setID(for: family, scope: .full)),
            .counter,
            .verdict(NF_DROP),
        ]
    }

    /// How often the kernel walks each set to free expired elements (`gc-interval`, 60 s). Matching never
    /// depends on it — the kernel skips an expired element on lookup, dump and insert — only when an expired
    /// element's memory is freed does. At the kernel's default of one second, the walk over a 900 k-element
    /// feed set took about a tenth of a core all the time (`nft_rhash_gc` at 4.9 % of all samples of a busy
    /// 2-core machine, none at 1 h), which the forwarding path lost.
    static let garbageCollectionMilliseconds: UInt32 = 60_000

    /// Appends the whole idempotent set-up to `transaction`: create table, sets and chains when missing
    /// (`NLM_F_CREATE` without `NLM_F_EXCL`, so existing ones — and their elements — are kept), flush the
    /// chains, and add the rules again. Applied atomically, it never leaves a moment without the drop rules.
    func appendSetUp(to transaction: NftTransaction) {
        NftMessages.table(.inet, table, to: transaction)
        let flags = UInt32(NFT_SET_TIMEOUT.rawValue)
        let gc = Self.garbageCollectionMilliseconds
        for scope in BlockScope.allCases {
            for family in [IPAddress.Family.ipv4, .ipv6] {
                NftMessages.set(.inet, table: table, name: setName(for: family, scope: scope),
                                keyType: family == .ipv4 ? BlockerLayout.ipv4KeyType : BlockerLayout.ipv6KeyType,
                                keyLength: family == .ipv4 ? 4 : 16, flags: flags,
                                id: setID(for: family, scope: scope), garbageCollectionMilliseconds: gc,
                                to: transaction)
            }
        }
        if feedSets {
            let feedFlags = UInt32(NFT_SET_INTERVAL.rawValue | NFT_SET_TIMEOUT.rawValue)
            NftMessages.set(.inet, table: table, name: Self.feedIPv4Set, keyType: BlockerLayout.ipv4KeyType,
                            keyLength: 4, flags: feedFlags, id: Self.feedIPv4SetID,
                            garbageCollectionMilliseconds: gc, to: transaction)
            NftMessages.set(.inet, table: table, name: Self.feedIPv6Set, keyType: BlockerLayout.ipv6KeyType,
                            keyLength: 16, flags: feedFlags, id: Self.feedIPv6SetID,
                            garbageCollectionMilliseconds: gc, to: transaction)
            NftMessages.set(.inet, table: table, name: Self.feedHostIPv4Set, keyType: BlockerLayout.ipv4KeyType,
                            keyLength: 4, flags: flags, id: Self.feedHostIPv4SetID,
                            garbageCollectionMilliseconds: gc, to: transaction)
            NftMessages.set(.inet, table: table, name: Self.feedHostIPv6Set, keyType: BlockerLayout.ipv6KeyType,
                            keyLength: 16, flags: flags, id: Self.feedHostIPv6SetID,
                            garbageCollectionMilliseconds: gc, to: transaction)
        }
        for chain in chains {
            NftMessages.baseChain(.inet, table: table, name: chain.name, hook: chain.hook, priority: chain.priority,
                                  to: transaction)
            NftMessages.flushChain(.inet, table: table, chain: chain.name, to: transaction)
            for (summary, expressions) in rules(of: chain) {
                NftMessages.rule(.inet, table: table, chain: chain.name, expressions: expressions, summary: summary,
                                 to: transaction)
            }
        }
    }

    /// The rules of one chain, each with its `nft` text for error messages.
    func rules(of chain: Chain) -> [(String, [NftExpression])] {
        var rules: [(String, [NftExpression])] = []
        let families = [IPAddress.Family.ipv4, .ipv6]
        if chain.name == "prerouting" {
            rules.append(("ip6 saddr ::ffff:0.0.0.0/96 counter drop", mappedSourceDropRule()))
            if reversePathCheck {
                rules.append(("ip saddr != 0.0.0.0 fib saddr . iif oif 0 counter drop", reversePathRule(family: .ipv4)))
                rules.append(("ip6 saddr != :: fib saddr . iif oif 0 counter drop", reversePathRule(family: .ipv6)))
            }
        }
        if chain.name != "input" {
            for family in families {
                let field = (family == .ipv4 ? "ip " : "ip6 ") + (chain.matchesSource ? "saddr" : "daddr")
                rules.append(("\(field) @\(setName(for: family)) counter drop",
                              dropRule(family: family, source: chain.matchesSource)))
            }
            if feedSets {
                for hosts in [true, false] {
                    for family in families {
                        let field = (family == .ipv4 ? "ip " : "ip6 ") + (chain.matchesSource ? "saddr" : "daddr")
                        rules.append(("\(field) @\(Self.feedSet(for: family, hosts: hosts)) counter drop",
                                      dropRule(family: family, source: chain.matchesSource, feed: true, hosts: hosts)))
                    }
                }
                for prefix in feedPrefixSets.sorted() {
                    rules.append((Self.feedPrefixSummary(prefix, source: chain.matchesSource),
                                  feedPrefixDropRule(prefix, source: chain.matchesSource)))
                }
            }
        }
        if chain.name == "forward" || chain.name == "input" {
            for family in families {
                rules.append(("ct state new \(family == .ipv4 ? "ip" : "ip6") saddr @\(setName(for: family, scope: .newConnections)) counter drop",
                              newConnectionDropRule(family: family)))
            }
        }
        return rules
    }
}
