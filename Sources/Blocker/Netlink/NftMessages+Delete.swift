#if canImport(Glibc)
import Glibc
#endif
internal import CMnl
internal import CNftnl

extension NftMessages {
    /// Appends `NFT_MSG_DELRULE` for the rule `handle` of `chain`.
    static func deleteRule(_ family: Family, table: String, chain: String, handle: UInt64, set: String,
                           to transaction: NftTransaction) {
        let what = "deleting the rule (handle \(handle)) of chain \(family.name) \(table) \(chain) that looks up set \(set)"
        transaction.append(what, maximumSize: smallMessageBound) { buffer, seq in
            let rule = nftnl_rule_alloc()!
            defer { nftnl_rule_free(rule) }
            _ = nftnl_rule_set_str(rule, UInt16(NFTNL_RULE_TABLE.rawValue), table)
            _ = nftnl_rule_set_str(rule, UInt16(NFTNL_RULE_CHAIN.rawValue), chain)
            nftnl_rule_set_u32(rule, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(family.rawValue))
            nftnl_rule_set_u64(rule, UInt16(NFTNL_RULE_HANDLE.rawValue), handle)
            let nlh = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_DELRULE.rawValue), family.rawValue,
                                            UInt16(NLM_F_ACK), seq)
            nftnl_rule_nlmsg_build_payload(nlh, rule)
        }
    }

    /// Appends `NFT_MSG_DELSET` for set `name` (its elements go with it; no rule may still reference it).
    static func deleteSet(_ family: Family, table: String, set name: String, to transaction: NftTransaction) {
        transaction.append("deleting set \(family.name) \(table) \(name)", maximumSize: smallMessageBound) { buffer, seq in
            let set = nftnl_set_alloc()!
            defer { nftnl_set_free(set) }
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_TABLE.rawValue), table)
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_NAME.rawValue), name)
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(family.rawValue))
            let nlh = nftnl_nlmsg_build_hdr(buffer, UInt16(NFT_MSG_DELSET.rawValue), family.rawValue,
                                            UInt16(NLM_F_ACK), seq)
            nftnl_set_nlmsg_build_payload(nlh, set)
        }
    }
}
