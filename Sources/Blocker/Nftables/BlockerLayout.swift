import NetCore
internal import CNftnl

/// The ruleset the blocker owns, in table `inet <tableName>`:
///
/// ```
/// set blocked4 { type ipv4_addr; flags timeout; }      # key type 7, 4 bytes
/// set blocked6 { type ipv6_addr; flags timeout; }      # key type 8, 16 bytes
/// chain prerouting { type filter hook prerouting priority raw (-300);
///     ip saddr @blocked4 counter drop;  ip6 saddr @blocked6 counter drop }   # from a blocked host: forwarded
///                                                                             # and local, before conntrack
/// chain forward { type filter hook forward priority -10;
///     ip daddr @blocked4 counter drop;  ip6 daddr @blocked6 counter drop }   # forwarded to a blocked host,
///                                                                             # before the NFQUEUE rule at 0
/// chain output { type filter hook output priority -10;
///     ip daddr @blocked4 counter drop;  ip6 daddr @blocked6 counter drop }   # from the gateway itself
/// ```
/// Both directions are dropped, as Slips does. Each rule is `meta nfproto` → `cmp` → `payload` (network header,
/// source at offset 12/8 or destination at 16/24) → `lookup` → `counter` → `immediate drop`.
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

    /// Table name.
    var table: String
    /// IPv4 set name.
    var ipv4Set: String
    /// IPv6 set name.
    var ipv6Set: String

    /// The three base chains.
    var chains: [Chain] {
        [Chain(name: "prerouting", hook: UInt32(NF_INET_PRE_ROUTING.rawValue), priority: -300, matchesSource: true),
         Chain(name: "forward", hook: UInt32(NF_INET_FORWARD.rawValue), priority: -10, matchesSource: false),
         Chain(name: "output", hook: UInt32(NF_INET_LOCAL_OUT.rawValue), priority: -10, matchesSource: false)]
    }

    /// The set name for a family.
    func setName(for family: IPAddress.Family) -> String {
        family == .ipv4 ? ipv4Set : ipv6Set
    }

    /// The expressions of the drop rule for one family and direction.
    func dropRule(family: IPAddress.Family, source: Bool) -> [NftExpression] {
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
            .lookup(register: r, setName: setName(for: family),
                    setID: family == .ipv4 ? BlockerLayout.ipv4SetID : BlockerLayout.ipv6SetID),
            .counter,
            .verdict(NF_DROP),
        ]
    }

    /// Appends the whole idempotent set-up to `transaction`: create table, sets and chains when missing
    /// (`NLM_F_CREATE` without `NLM_F_EXCL`, so existing ones — and their elements — are kept), flush the
    /// chains, and add the rules again. Applied atomically, it never leaves a moment without the drop rules.
    func appendSetUp(to transaction: NftTransaction) {
        NftMessages.table(.inet, table, to: transaction)
        let flags = UInt32(NFT_SET_TIMEOUT.rawValue)
        NftMessages.set(.inet, table: table, name: ipv4Set, keyType: BlockerLayout.ipv4KeyType, keyLength: 4,
                        flags: flags, id: BlockerLayout.ipv4SetID, to: transaction)
        NftMessages.set(.inet, table: table, name: ipv6Set, keyType: BlockerLayout.ipv6KeyType, keyLength: 16,
                        flags: flags, id: BlockerLayout.ipv6SetID, to: transaction)
        for chain in chains {
            NftMessages.baseChain(.inet, table: table, name: chain.name, hook: chain.hook, priority: chain.priority,
                                  to: transaction)
            NftMessages.flushChain(.inet, table: table, chain: chain.name, to: transaction)
            for family in [IPAddress.Family.ipv4, .ipv6] {
                let field = (family == .ipv4 ? "ip " : "ip6 ") + (chain.matchesSource ? "saddr" : "daddr")
                NftMessages.rule(.inet, table: table, chain: chain.name,
                                 expressions: dropRule(family: family, source: chain.matchesSource),
                                 summary: "\(field) @\(setName(for: family)) counter drop", to: transaction)
            }
        }
    }
}
