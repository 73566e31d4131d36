import NetCore
#if canImport(Glibc)
import Glibc
#endif
internal import CMnl
internal import CNftnl

/// Read-only nftables requests outside a batch: does a table exist (`NFT_MSG_GETTABLE`), and a dump of one
/// set's elements (`NFT_MSG_GETSETELEM` with `NLM_F_DUMP`).
///
/// A dump is sent on demand only (listing, start-up); nothing in the blocking path dumps a set.
enum NftQuery {
    /// One element as the kernel reports it.
    struct DumpedElement {
        /// Key bytes in network order.
        var key: [UInt8]
        /// The element's timeout in milliseconds, if it has one.
        var timeoutMilliseconds: UInt64?
        /// Milliseconds until the element expires, if it has a timeout.
        var expirationMilliseconds: UInt64?
        /// The element's userdata (empty when none).
        var userdata: [UInt8]
    }

    /// True when the table exists, false on ENOENT.
    /// - Throws: `BlockerError` for any other answer (EPERM: the thread lacks CAP_NET_ADMIN).
    static func tableExists(_ family: NftMessages.Family, _ name: String, on socket: NetlinkSocket) throws -> Bool {
        let operation = "looking up table \(family.name) \(name)"
        let sequence = socket.nextSequence()
        var buffer = [UInt8](repeating: 0, count: 1024)
        let length = buffer.withUnsafeMutableBytes { raw -> Int in
            let table = nftnl_table_alloc()!
            defer { nftnl_table_free(table) }
            _ = nftnl_table_set_str(table, UInt16(NFTNL_TABLE_NAME.rawValue), name)
            let nlh = nftnl_nlmsg_build_hdr(raw.baseAddress!.assumingMemoryBound(to: CChar.self),
                                            UInt16(NFT_MSG_GETTABLE.rawValue), family.rawValue,
                                            UInt16(NLM_F_ACK), sequence)!
            nftnl_table_nlmsg_build_payload(nlh, table)
            return Int(nlh.pointee.nlmsg_len)
        }
        try BlockerError.mapping {
            try buffer.withUnsafeBytes { try socket.send(UnsafeRawBufferPointer(rebasing: $0[0..<length]),
                                                         operation: operation) }
        }
        while true {
            guard let datagram = try BlockerError.mapping({ try socket.receive(wait: true, operation: operation) }) else {
                throw BlockerError(operation: operation, reason: "no answer from the kernel within 5 s")
            }
            var answer: Int32?
            NetlinkReply.forEach(in: datagram) { reply in
                if case .ack(let seq, let code, _) = reply, seq == sequence { answer = code; return false }
                return true
            }
            switch answer {
            case nil: continue
            case 0: return true
            case ENOENT: return false
            case let code?: throw BlockerError.system(operation, errno: code)
            }
        }
    }

    /// Dumps every element of one set. Retries (up to 3 times) when the kernel marks the dump interrupted
    /// (`NLM_F_DUMP_INTR`: the set changed while it was being read).
    /// - Throws: `BlockerError` with `errno` ENOENT when the table or set does not exist.
    static func elements(_ family: NftMessages.Family, table: String, set name: String,
                         on socket: NetlinkSocket) throws -> [DumpedElement] {
        var attempt = 0
        while true {
            attempt += 1
            var elements: [DumpedElement] = []
            let interrupted = try forEachElement(family, table: table, set: name, on: socket) { elements.append($0) }
            if !interrupted || attempt >= 3 { return elements }
        }
    }

    /// Dumps one set, handing each element to `body` as its dump part arrives: memory stays that of one netlink
    /// datagram whatever the set's size. A dump cannot be retried once elements were handed on, so an
    /// interrupted dump is reported instead.
    /// - Returns: true when the kernel marked the dump interrupted (`NLM_F_DUMP_INTR`: the set changed while it
    ///   was read, so elements may be missing or repeated).
    /// - Throws: `BlockerError` with `errno` ENOENT when the table or set does not exist; what `body` throws.
    static func forEachElement(_ family: NftMessages.Family, table: String, set name: String,
                               on socket: NetlinkSocket, _ body: (DumpedElement) throws -> Void) throws -> Bool {
        let operation = "listing set \(family.name) \(table) \(name)"
        let sequence = socket.nextSequence()
        var request = [UInt8](repeating: 0, count: 1024)
        let length = request.withUnsafeMutableBytes { raw -> Int in
            let set = nftnl_set_alloc()!
            defer { nftnl_set_free(set) }
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_TABLE.rawValue), table)
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_NAME.rawValue), name)
            let nlh = nftnl_nlmsg_build_hdr(raw.baseAddress!.assumingMemoryBound(to: CChar.self),
                                            UInt16(NFT_MSG_GETSETELEM.rawValue), family.rawValue,
                                            UInt16(NLM_F_DUMP), sequence)!
            nftnl_set_elems_nlmsg_build_payload(nlh, set)
            return Int(nlh.pointee.nlmsg_len)
        }
        try BlockerError.mapping {
            try request.withUnsafeBytes { try socket.send(UnsafeRawBufferPointer(rebasing: $0[0..<length]),
                                                          operation: operation) }
        }
        var interrupted = false
        var finished = false
        var failure: Int32?
        var thrown: (any Error)?
        while !finished {
            guard let datagram = try BlockerError.mapping({ try socket.receive(wait: true, operation: operation) }) else {
                throw BlockerError(operation: operation, reason: "the dump stalled: no answer within 5 s")
            }
            NetlinkReply.forEach(in: datagram) { reply in
                switch reply {
                case .done(let seq, let code) where seq == sequence:
                    if code != 0 { failure = code }
                    finished = true
                    return false
                case .ack(let seq, let code, _) where seq == sequence:
                    if code != 0 { failure = code }
                    finished = true
                    return false
                case .data(let nlh) where nlh.pointee.nlmsg_seq == sequence:
                    if Int32(nlh.pointee.nlmsg_flags) & Int32(NLM_F_DUMP_INTR) != 0 { interrupted = true }
                    do { try parse(nlh, body) } catch { thrown = error; return false }
                    return true
                default:
                    return true
                }
            }
            if let thrown {
                // The rest of the dump is still queued on the socket: read it off so the next request's answer
                // is not mistaken for it.
                drain(sequence, on: socket, operation: operation)
                throw thrown
            }
        }
        if let failure { throw BlockerError.system(operation, errno: failure) }
        return interrupted
    }

    /// Reads the rest of dump `sequence` (until its NLMSG_DONE or an error) and discards it.
    private static func drain(_ sequence: UInt32, on socket: NetlinkSocket, operation: String) {
        var finished = false
        while !finished {
            guard let datagram = try? socket.receive(wait: true, operation: operation) else { return }
            NetlinkReply.forEach(in: datagram) { reply in
                switch reply {
                case .done(let seq, _) where seq == sequence, .ack(let seq, _, _) where seq == sequence:
                    finished = true
                    return false
                default:
                    return true
                }
            }
        }
    }

    /// Parses one dump part (`nftnl_set_elems_nlmsg_parse`) and hands each of its elements to `body`.
    private static func parse(_ nlh: UnsafePointer<nlmsghdr>, _ body: (DumpedElement) throws -> Void) throws {
        let set = nftnl_set_alloc()!
        defer { nftnl_set_free(set) }
        guard nftnl_set_elems_nlmsg_parse(nlh, set) >= 0, let iterator = nftnl_set_elems_iter_create(set) else {
            return
        }
        defer { nftnl_set_elems_iter_destroy(iterator) }
        var element = nftnl_set_elems_iter_next(iterator)
        while let e = element {
            var keyLength: UInt32 = 0
            var key: [UInt8] = []
            if let pointer = nftnl_set_elem_get(e, UInt16(NFTNL_SET_ELEM_KEY), &keyLength) {
                key = Array(UnsafeRawBufferPointer(start: pointer, count: Int(keyLength)))
            }
            var dumped = DumpedElement(key: key, timeoutMilliseconds: nil, expirationMilliseconds: nil, userdata: [])
            if nftnl_set_elem_is_set(e, UInt16(NFTNL_SET_ELEM_TIMEOUT)) {
                dumped.timeoutMilliseconds = nftnl_set_elem_get_u64(e, UInt16(NFTNL_SET_ELEM_TIMEOUT))
            }
            if nftnl_set_elem_is_set(e, UInt16(NFTNL_SET_ELEM_EXPIRATION)) {
                dumped.expirationMilliseconds = nftnl_set_elem_get_u64(e, UInt16(NFTNL_SET_ELEM_EXPIRATION))
            }
            var userdataLength: UInt32 = 0
            if nftnl_set_elem_is_set(e, UInt16(NFTNL_SET_ELEM_USERDATA)),
               let pointer = nftnl_set_elem_get(e, UInt16(NFTNL_SET_ELEM_USERDATA), &userdataLength) {
                dumped.userdata = Array(UnsafeRawBufferPointer(start: pointer, count: Int(userdataLength)))
            }
            try body(dumped)
            element = nftnl_set_elems_iter_next(iterator)
        }
    }
}
