import NetCore
#if canImport(Glibc)
import Glibc
#endif
internal import CNftnl

/// One nftables rule expression, described as a Swift value and turned into a `struct nftnl_expr` only while a
/// message is being built (`nftnl_expr_alloc` + `nftnl_expr_set_*`; the rule takes ownership).
enum NftExpression: Equatable {
    /// `meta load <key> => reg` (e.g. `NFT_META_NFPROTO`).
    case metaLoad(key: UInt32, register: UInt32)
    /// `cmp <op> reg, data` (`NFT_CMP_EQ`, `NFT_CMP_NEQ`).
    case compare(register: UInt32, op: UInt32, data: [UInt8])
    /// `payload load <length>b @ <base> + <offset> => reg`.
    case payloadLoad(base: UInt32, offset: UInt32, length: UInt32, register: UInt32)
    /// `lookup reg 1 set <name>`; `setID` lets a rule reference a set created in the same batch.
    case lookup(register: UInt32, setName: String, setID: UInt32)
    /// `counter`.
    case counter
    /// `immediate reg 0 <verdict>` (`NF_DROP`, `NF_ACCEPT`).
    case verdict(Int32)
    /// The native `queue` expression (module nft_queue): queues `first ..< first + total`, `NFT_QUEUE_FLAG_*`.
    case queue(first: UInt16, total: UInt16, flags: UInt16)
    /// An xtables target through nft_compat (as iptables-nft emits): name, revision, info bytes (XT_ALIGNed).
    case xtTarget(name: String, revision: UInt32, info: [UInt8])
    /// `ct load <key> => reg` (e.g. `NFT_CT_STATE`, a 4-byte bit mask in host order).
    case ctLoad(key: UInt32, register: UInt32)
    /// `bitwise reg = (reg & mask) ^ xor` over `mask.count` bytes.
    case bitwise(register: UInt32, mask: [UInt8], xor: [UInt8])
    /// `fib <flags> <result> => reg` (`NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF`, `NFT_FIB_RESULT_OIF`: the output
    /// interface index of the route back to the source through the input interface, 0 when there is none).
    case fib(flags: UInt32, result: UInt32, register: UInt32)

    /// The first NFT register of 16 bytes (`NFT_REG_1`).
    static let register1 = UInt32(NFT_REG_1.rawValue)

    /// Allocates the libnftnl expression; nil when libnftnl does not know the expression name.
    func make() -> OpaquePointer? {
        switch self {
        case .metaLoad(let key, let register):
            guard let e = nftnl_expr_alloc("meta") else { return nil }
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_META_KEY), key)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_META_DREG), register)
            return e
        case .compare(let register, let op, let data):
            guard let e = nftnl_expr_alloc("cmp") else { return nil }
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_CMP_SREG), register)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_CMP_OP), op)
            _ = data.withUnsafeBytes { nftnl_expr_set(e, UInt16(NFTNL_EXPR_CMP_DATA), $0.baseAddress,
                                                      UInt32($0.count)) }
            return e
        case .payloadLoad(let base, let offset, let length, let register):
            guard let e = nftnl_expr_alloc("payload") else { return nil }
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_PAYLOAD_DREG), register)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_PAYLOAD_BASE), base)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_PAYLOAD_OFFSET), offset)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_PAYLOAD_LEN), length)
            return e
        case .lookup(let register, let setName, let setID):
            guard let e = nftnl_expr_alloc("lookup") else { return nil }
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_LOOKUP_SREG), register)
            _ = nftnl_expr_set_str(e, UInt16(NFTNL_EXPR_LOOKUP_SET), setName)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_LOOKUP_SET_ID), setID)
            return e
        case .counter:
            return nftnl_expr_alloc("counter")
        case .verdict(let verdict):
            guard let e = nftnl_expr_alloc("immediate") else { return nil }
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_IMM_DREG), UInt32(NFT_REG_VERDICT.rawValue))
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_IMM_VERDICT), UInt32(bitPattern: verdict))
            return e
        case .queue(let first, let total, let flags):
            guard let e = nftnl_expr_alloc("queue") else { return nil }
            nftnl_expr_set_u16(e, UInt16(NFTNL_EXPR_QUEUE_NUM), first)
            nftnl_expr_set_u16(e, UInt16(NFTNL_EXPR_QUEUE_TOTAL), total)
            nftnl_expr_set_u16(e, UInt16(NFTNL_EXPR_QUEUE_FLAGS), flags)
            return e
        case .ctLoad(let key, let register):
            guard let e = nftnl_expr_alloc("ct") else { return nil }
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_CT_KEY), key)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_CT_DREG), register)
            return e
        case .bitwise(let register, let mask, let xor):
            guard let e = nftnl_expr_alloc("bitwise") else { return nil }
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_BITWISE_SREG), register)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_BITWISE_DREG), register)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_BITWISE_LEN), UInt32(mask.count))
            _ = mask.withUnsafeBytes { nftnl_expr_set(e, UInt16(NFTNL_EXPR_BITWISE_MASK), $0.baseAddress,
                                                      UInt32($0.count)) }
            _ = xor.withUnsafeBytes { nftnl_expr_set(e, UInt16(NFTNL_EXPR_BITWISE_XOR), $0.baseAddress,
                                                     UInt32($0.count)) }
            return e
        case .fib(let flags, let result, let register):
            guard let e = nftnl_expr_alloc("fib") else { return nil }
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_FIB_FLAGS), flags)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_FIB_RESULT), result)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_FIB_DREG), register)
            return e
        case .xtTarget(let name, let revision, let info):
            guard let e = nftnl_expr_alloc("target") else { return nil }
            _ = nftnl_expr_set_str(e, UInt16(NFTNL_EXPR_TG_NAME), name)
            nftnl_expr_set_u32(e, UInt16(NFTNL_EXPR_TG_REV), revision)
            // libnftnl keeps the pointer it is given for TG_INFO and frees it with the expression: hand it a
            // malloc'ed copy.
            guard let copy = malloc(max(info.count, 1)) else { nftnl_expr_free(e); return nil }
            info.withUnsafeBytes { if let base = $0.baseAddress { copy.copyMemory(from: base, byteCount: info.count) } }
            _ = nftnl_expr_set(e, UInt16(NFTNL_EXPR_TG_INFO), copy, UInt32(info.count))
            return e
        }
    }
}
