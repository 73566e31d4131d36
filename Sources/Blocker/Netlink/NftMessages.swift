import NetCore
#if canImport(Glibc)
import Glibc
#endif
internal import CMnl
internal import CNftnl

/// Builders that append nftables messages (tables, sets, chains, rules, set elements) to an `NftTransaction`.
///
/// Each builder allocates its libnftnl object only while the message is written (`nftnl_*_alloc`,
/// `nftnl_*_nlmsg_build_payload`, `nftnl_*_free`), so no C object outlives a transaction.
enum NftMessages {
    /// `NFPROTO_*` family numbers used by the blocker and the steering.
    enum Family: UInt16 {
        /// `inet`: IPv4 and IPv6 in one table.
        case inet = 1
        /// `ip`: IPv4 only (nft_compat needs a per-family table).
        case ip = 2
        /// `ip6`: IPv6 only.
        case ip6 = 10

        /// The name nft prints (`inet`, `ip`, `ip6`).
        var name: String {
            switch self {
            case .inet: "inet"
            case .ip: "ip"
            case .ip6: "ip6"
            }
        }
    }

    /// One set element to add or delete: key bytes, optional timeout (ms), optional userdata.
    struct Element: Sendable {
        /// The key in network byte order (4 or 16 bytes).
        var key: [UInt8]
        /// Per-element timeout in milliseconds; nil for none (only meaningful when adding).
        var timeoutMilliseconds: UInt64?
        /// Opaque userdata stored with the element (`NFTA_SET_ELEM_USERDATA`), at most 255 bytes.
        var userdata: [UInt8]

        /// The element's encoded size inside `NFTA_SET_ELEM_LIST_ELEMENTS`, as `nftnl_set_elem_build` writes it:
        /// list element nest, key nest with its value, the timeout when present, the userdata when present.
        var encodedSize: Int {
            4 + 4 + 4 + align4(key.count) + (timeoutMilliseconds == nil ? 0 : 12)
                + (userdata.isEmpty ? 0 : 4 + align4(userdata.count))
        }
    }

    /// Bound for the simple messages (table, chain, set, rule): all far below 4 KB.
    static let smallMessageBound = 4096

    /// `NFT_MSG_DESTROYSETELEM` (Linux 6.3): deletes elements, and is not an error for elements that are not
    /// there. Debian 12's kernel headers predate it, hence the number.
    static let destroySetElementType: UInt16 = 30

    /// Flags for an idempotent create: `NLM_F_CREATE` without `NLM_F_EXCL`, with an ack.
    static let createFlags = UInt16(NLM_F_CREATE | NLM_F_ACK)

    /// Appends `NFT_MSG_NEWTABLE` (create if missing) or `NFT_MSG_DELTABLE`.
    static func table(_ family: Family, _ name: String, delete: Bool = false, to transaction: NftTransaction) {
        let verb = delete ? "deleting" : "creating"
        transaction.append("\(verb) table \(family.name) \(name)", maximumSize: smallMessageBound) { buffer, seq in
            let table = nftnl_table_alloc()!
            defer { nftnl_table_free(table) }
            _ = nftnl_table_set_str(table, UInt16(NFTNL_TABLE_NAME.rawValue), name)
            nftnl_table_set_u32(table, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(family.rawValue))
            let type = delete ? NFT_MSG_DELTABLE : NFT_MSG_NEWTABLE
            let flags = delete ? UInt16(NLM_F_ACK) : createFlags
            let nlh = nftnl_nlmsg_build_hdr(buffer, UInt16(type.rawValue), family.rawValue, flags, seq)
            nftnl_table_nlmsg_build_payload(nlh, table)
        }
    }

    /// Appends `NFT_MSG_NEWSET` (create if missing) for a set of addresses with `flags` (`NFT_SET_TIMEOUT`…).
    /// `id` lets rules of the same batch reference the set before it exists. `garbageCollectionMilliseconds` is
    /// how often the kernel walks a timeout set to free expired elements (`gc-interval`; the kernel's default is
    /// one second). The kernel applies it to an existing set too, so a table left by an older slipsd gets it.
    static func set(_ family: Family, table: String, name: String, keyType: UInt32, keyLength: UInt32,
                    flags: UInt32, id: UInt32, garbageCollectionMilliseconds: UInt32,
                    to transaction: NftTransaction) {
        transaction.append("creating set \(family.name) \(table) \(name)", maximumSize: smallMessageBound) { buffer, seq in
            let set = nftnl_set_alloc()!
            defer { nftnl_set_free(set) }
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_TABLE.rawValue), table)
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_NAME.rawValue), name)
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(family.rawValue))
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_KEY_TYPE.rawValue), keyType)
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_KEY_LEN.rawValue), keyLength)
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_FLAGS.rawValue), flags)
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_ID.rawValue), id)
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_GC_INTERVAL.rawValue), garbageCollectionMilliseconds)
            let nlh = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_NEWSET.rawValue), family.rawValue,
                                            createFlags, seq)
            nftnl_set_nlmsg_build_payload(nlh, set)
        }
    }

    /// Appends `NFT_MSG_NEWCHAIN` for a base chain of type filter (create if missing; an existing chain with
    /// the same hook and priority is left as it is).
    static func baseChain(_ family: Family, table: String, name: String, hook: UInt32, priority: Int32,
                          to transaction: NftTransaction) {
        let what = "creating chain \(family.name) \(table) \(name) (hook \(hook), priority \(priority))"
        transaction.append(what, maximumSize: smallMessageBound) { buffer, seq in
            let chain = nftnl_chain_alloc()!
            defer { nftnl_chain_free(chain) }
            _ = nftnl_chain_set_str(chain, UInt16(NFTNL_CHAIN_TABLE.rawValue), table)
            _ = nftnl_chain_set_str(chain, UInt16(NFTNL_CHAIN_NAME.rawValue), name)
            nftnl_chain_set_u32(chain, UInt16(NFTNL_CHAIN_FAMILY.rawValue), UInt32(family.rawValue))
            nftnl_chain_set_u32(chain, UInt16(NFTNL_CHAIN_HOOKNUM.rawValue), hook)
            nftnl_chain_set_s32(chain, UInt16(NFTNL_CHAIN_PRIO.rawValue), priority)
            _ = nftnl_chain_set_str(chain, UInt16(NFTNL_CHAIN_TYPE.rawValue), "filter")
            let nlh = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_NEWCHAIN.rawValue), family.rawValue,
                                            createFlags, seq)
            nftnl_chain_nlmsg_build_payload(nlh, chain)
        }
    }

    /// Appends `NFT_MSG_DELSETELEM` without an element list: deletes every element of the set (a flush).
    static func flushSet(_ family: Family, table: String, set name: String, to transaction: NftTransaction) {
        setMessage(family, table: table, set: name, type: NFT_MSG_DELSETELEM,
                   what: "flushing set \(family.name) \(table) \(name)",
                   payload: { nftnl_set_elems_nlmsg_build_payload($0, $1) }, to: transaction)
    }

    /// Appends `NFT_MSG_DELRULE` without a handle: deletes every rule of the chain (a flush).
    static func flushChain(_ family: Family, table: String, chain name: String, to transaction: NftTransaction) {
        ruleDeletion(family, table: table, chain: name, handle: nil,
                     what: "flushing chain \(family.name) \(table) \(name)", to: transaction)
    }

    /// Appends `NFT_MSG_NEWRULE` (appended at the end of the chain) made of `expressions`.
    static func rule(_ family: Family, table: String, chain: String, expressions: [NftExpression],
                     summary: String, to transaction: NftTransaction) {
        let what = "adding rule \"\(summary)\" to chain \(family.name) \(table) \(chain)"
        transaction.append(what, maximumSize: smallMessageBound) { buffer, seq in
            let rule = nftnl_rule_alloc()!
            defer { nftnl_rule_free(rule) }
            _ = nftnl_rule_set_str(rule, UInt16(NFTNL_RULE_TABLE.rawValue), table)
            _ = nftnl_rule_set_str(rule, UInt16(NFTNL_RULE_CHAIN.rawValue), chain)
            nftnl_rule_set_u32(rule, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(family.rawValue))
            for expression in expressions {
                // Only an unknown expression name fails here; the kernel would reject it anyway.
                if let e = expression.make() { nftnl_rule_add_expr(rule, e) }
            }
            let flags = UInt16(NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK)
            let nlh = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_NEWRULE.rawValue), family.rawValue, flags, seq)
            nftnl_rule_nlmsg_build_payload(nlh, rule)
        }
    }

    /// Appends one `NFT_MSG_NEWSETELEM` (create, or refresh the timeout of an existing element) or
    /// `NFT_MSG_DELSETELEM` carrying `elements`. The caller keeps the list under the 64 KB attribute limit.
    static func elements(_ family: Family, table: String, set name: String, _ elements: [Element], delete: Bool,
                         ignoringMissing: Bool = false, to transaction: NftTransaction) {
        let verb = delete ? "deleting \(elements.count) element(s) from" : "adding \(elements.count) element(s) to"
        let bound = 1024 + align4(table.utf8.count + 1) + align4(name.utf8.count + 1)
            + elements.reduce(0) { $0 + $1.encodedSize }
        transaction.append("\(verb) set \(family.name) \(table) \(name)", maximumSize: bound) { buffer, seq in
            let set = nftnl_set_alloc()!
            defer { nftnl_set_free(set) }   // frees the elements added to it
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_TABLE.rawValue), table)
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_NAME.rawValue), name)
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(family.rawValue))
            for element in elements {
                let e = nftnl_set_elem_alloc()!
                _ = element.key.withUnsafeBytes {
                    nftnl_set_elem_set(e, UInt16(NFTNL_SET_ELEM_KEY), $0.baseAddress, UInt32($0.count))
                }
                if let timeout = element.timeoutMilliseconds {
                    nftnl_set_elem_set_u64(e, UInt16(NFTNL_SET_ELEM_TIMEOUT), timeout)
                }
                if !element.userdata.isEmpty {
                    _ = element.userdata.withUnsafeBytes {
                        nftnl_set_elem_set(e, UInt16(NFTNL_SET_ELEM_USERDATA), $0.baseAddress, UInt32($0.count))
                    }
                }
                nftnl_set_elem_add(set, e)
            }
            let type = delete ? (ignoringMissing ? destroySetElementType : UInt16(NFT_MSG_DELSETELEM.rawValue))
                              : UInt16(NFT_MSG_NEWSETELEM.rawValue)
            let flags = delete ? UInt16(NLM_F_ACK) : createFlags
            let nlh = nftnl_nlmsg_build_hdr(buffer, type, family.rawValue, flags, seq)
            nftnl_set_elems_nlmsg_build_payload(nlh, set)
        }
    }
}

/// Rounds up to the netlink attribute alignment (4 bytes).
func align4(_ n: Int) -> Int { (n + 3) & ~3 }
