#if canImport(Glibc)
import Glibc
#endif
internal import CMnl
internal import CNftnl

extension NftMessages {
    /// Appends `NFT_MSG_DELRULE` for the rule `handle` of `chain`.
    static func deleteRule(_ family: Family, table: String, chain: String, handle: UInt64, set: String,
                           to transaction: NftTransaction) {
        ruleDeletion(family, table: table, chain: chain, handle: handle,
                     what: "deleting the rule (handle \(handle)) of chain \(family.name) \(table) \(chain) that looks up set \(set)",
                     to: transaction)
    }

    /// Appends `NFT_MSG_DELSET` for set `name` (its elements go with it; no rule may still reference it).
    static func deleteSet(_ family: Family, table: String, set name: String, to transaction: NftTransaction) {
        setMessage(family, table: table, set: name, type: NFT_MSG_DELSET, what: "deleting set \(family.name) \(table) \(name)",
                   payload: { nftnl_set_nlmsg_build_payload($0, $1) }, to: transaction)
    }

    /// `NFT_MSG_DELRULE` for the rule `handle` of `chain`, or for every rule of it (a flush) when `handle` is nil.
    static func ruleDeletion(_ family: Family, table: String, chain: String, handle: UInt64?, what: String,
                             to transaction: NftTransaction) {
        transaction.append(what, maximumSize: smallMessageBound) { buffer, seq in
            let rule = nftnl_rule_alloc()!
            defer { nftnl_rule_free(rule) }
            _ = nftnl_rule_set_str(rule, UInt16(NFTNL_RULE_TABLE.rawValue), table)
            _ = nftnl_rule_set_str(rule, UInt16(NFTNL_RULE_CHAIN.rawValue), chain)
            nftnl_rule_set_u32(rule, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(family.rawValue))
            if let handle { nftnl_rule_set_u64(rule, UInt16(NFTNL_RULE_HANDLE.rawValue), handle) }
            let nlh = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_DELRULE.rawValue), family.rawValue,
                                            UInt16(NLM_F_ACK), seq)
            nftnl_rule_nlmsg_build_payload(nlh, rule)
        }
    }

    /// A message of `type` naming set `name` of `table`, its payload written by `payload` (set or elements).
    static func setMessage(_ family: Family, table: String, set name: String, type: nf_tables_msg_types,
                           what: String, payload: @escaping (UnsafeMutablePointer<nlmsghdr>?, OpaquePointer) -> Void,
                           to transaction: NftTransaction) {
        transaction.append(what, maximumSize: smallMessageBound) { buffer, seq in
            let set = nftnl_set_alloc()!
            defer { nftnl_set_free(set) }
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_TABLE.rawValue), table)
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_NAME.rawValue), name)
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(family.rawValue))
            let nlh = nftnl_nlmsg_build_hdr(buffer, UInt16(type.rawValue), family.rawValue, UInt16(NLM_F_ACK), seq)
            payload(nlh, set)
        }
    }
}
