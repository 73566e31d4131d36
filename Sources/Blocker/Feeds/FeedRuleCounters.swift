import NetCore
#if canImport(Glibc)
import Glibc
#endif
internal import CMnl
internal import CNftnl

/// Reads the packet and byte counters of the rules that look up a given set (`NFT_MSG_GETRULE` dump of one
/// table, `nftnl_rule_nlmsg_parse`, the rule's `lookup` and `counter` expressions). On demand only
/// (`slipsd --list-blocked`).
enum FeedRuleCounters {
    /// Packets and bytes counted by the drop rules of one set, summed over its chains.
    struct Counter: Sendable, Equatable {
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
    }

    /// One dumped rule that looks up a set and counts: where it is (chain, handle, for deleting it) and its counter.
    struct Rule: Sendable, Equatable {
        var chain: String
        var handle: UInt64
        var set: String
        var counter: Counter
    }

    /// The summed counters per set name, for every rule of `table` that has both a lookup and a counter.
    /// - Throws: `BlockerError` (ENOENT when the table does not exist).
    static func bySet(table: String, on socket: NetlinkSocket) throws -> [String: Counter] {
        var result: [String: Counter] = [:]
        for rule in try rules(table: table, on: socket) {
            result[rule.set, default: Counter()].packets += rule.counter.packets
            result[rule.set, default: Counter()].bytes += rule.counter.bytes
        }
        return result
    }

    /// Every rule of `table` that has both a lookup and a counter.
    /// - Throws: `BlockerError` (ENOENT when the table does not exist).
    static func rules(table: String, on socket: NetlinkSocket) throws -> [Rule] {
        let operation = "listing the rules of table inet \(table)"
        let sequence = socket.nextSequence()
        var request = [UInt8](repeating: 0, count: 1024)
        let length = request.withUnsafeMutableBytes { raw -> Int in
            let rule = nftnl_rule_alloc()!
            defer { nftnl_rule_free(rule) }
            _ = nftnl_rule_set_str(rule, UInt16(NFTNL_RULE_TABLE.rawValue), table)
            let nlh = nftnl_nlmsg_build_hdr(raw.baseAddress!.assumingMemoryBound(to: CChar.self),
                                            UInt16(NFT_MSG_GETRULE.rawValue), NftMessages.Family.inet.rawValue,
                                            UInt16(NLM_F_DUMP), sequence)!
            nftnl_rule_nlmsg_build_payload(nlh, rule)
            return Int(nlh.pointee.nlmsg_len)
        }
        try BlockerError.mapping {
            try request.withUnsafeBytes { try socket.send(UnsafeRawBufferPointer(rebasing: $0[0..<length]),
                                                          operation: operation) }
        }
        var result: [Rule] = []
        var finished = false
        var failure: Int32?
        while !finished {
            guard let datagram = try BlockerError.mapping({ try socket.receive(wait: true, operation: operation) }) else {
                throw BlockerError(operation: operation, reason: "the dump stalled: no answer within 5 s")
            }
            NetlinkReply.forEach(in: datagram) { reply in
                switch reply {
                case .done(let seq, let code) where seq == sequence, .ack(let seq, let code, _) where seq == sequence:
                    if code != 0 { failure = code }
                    finished = true
                    return false
                case .data(let nlh) where nlh.pointee.nlmsg_seq == sequence:
                    if let rule = parse(nlh, table: table) { result.append(rule) }
                    return true
                default:
                    return true
                }
            }
        }
        if let failure { throw BlockerError.system(operation, errno: failure) }
        return result
    }

    /// The looked-up set and the counter of one dumped rule, nil when it has not both (or is of another table).
    private static func parse(_ nlh: UnsafePointer<nlmsghdr>, table: String) -> Rule? {
        let rule = nftnl_rule_alloc()!
        defer { nftnl_rule_free(rule) }
        guard nftnl_rule_nlmsg_parse(nlh, rule) >= 0,
              let ruleTable = nftnl_rule_get_str(rule, UInt16(NFTNL_RULE_TABLE.rawValue)),
              String(cString: ruleTable) == table,
              let iterator = nftnl_expr_iter_create(rule) else { return nil }
        defer { nftnl_expr_iter_destroy(iterator) }
        var set: String?
        var counter: Counter?
        while let e = nftnl_expr_iter_next(iterator) {
            guard let name = nftnl_expr_get_str(e, UInt16(NFTNL_EXPR_NAME)) else { continue }
            switch String(cString: name) {
            case "lookup":
                if let s = nftnl_expr_get_str(e, UInt16(NFTNL_EXPR_LOOKUP_SET)) { set = String(cString: s) }
            case "counter":
                counter = Counter(packets: nftnl_expr_get_u64(e, UInt16(NFTNL_EXPR_CTR_PACKETS)),
                                  bytes: nftnl_expr_get_u64(e, UInt16(NFTNL_EXPR_CTR_BYTES)))
            default: break
            }
        }
        guard let set, let counter, let chain = nftnl_rule_get_str(rule, UInt16(NFTNL_RULE_CHAIN.rawValue)) else {
            return nil
        }
        return Rule(chain: String(cString: chain), handle: nftnl_rule_get_u64(rule, UInt16(NFTNL_RULE_HANDLE.rawValue)),
                    set: set, counter: counter)
    }
}
