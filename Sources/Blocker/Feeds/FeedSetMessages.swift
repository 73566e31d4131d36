import NetCore
#if canImport(Glibc)
import Glibc
#endif
internal import CMnl
internal import CNftnl

/// Builds the `NFT_MSG_NEWSETELEM` / `NFT_MSG_DELSETELEM` messages of a feed interval set: each range is its
/// start element (key `first`; when adding, the timeout and the feed's comment) followed by its end element
/// (key `last + 1`, flag `NFT_SET_ELEM_INTERVAL_END`; none when `last` is the top address), the layout nft
/// itself sends for `flags interval` sets. Messages are cut so their element list stays under the 64 KB
/// attribute limit.
enum FeedSetMessages {
    /// Byte budget of one message's element list (as `NftablesBlocker.elementListBudget`).
    static let listBudget = 60_000

    /// Encoded size of one range's elements (see `NftMessages.Element.encodedSize`).
    static func encodedSize(keyBytes: Int, timeout: Bool, userdataBytes: Int, hasEnd: Bool) -> Int {
        let key = 4 + 4 + 4 + align4(keyBytes)
        let start = key + (timeout ? 12 : 0) + (userdataBytes > 0 ? 4 + align4(userdataBytes) : 0)
        return start + (hasEnd ? key + 8 : 0)
    }

    /// Appends the messages for `ranges` to `transaction`.
    /// - Parameters:
    ///   - timeoutMilliseconds: the element timeout when adding; nil when deleting.
    ///   - userdata: per feed index, the encoded comment stored with the start element (adding only).
    /// - Returns: the number of kernel elements written and of messages appended.
    ///   - interval: true for an interval set (end elements); false for a hash set of single addresses (each
    ///     range must then be one address: only its start element is sent).
    static func append<Key: FeedKey>(_ ranges: ArraySlice<AddressRange<Key>>, table: String, set: String,
                                     interval: Bool = true, timeoutMilliseconds: UInt64?, userdata: [[UInt8]],
                                     to transaction: NftTransaction) -> (elements: Int, messages: Int) {
        var elements = 0
        var messages = 0
        var start = ranges.startIndex
        while start < ranges.endIndex {
            var end = start
            var bytes = 0
            var count = 0
            while end < ranges.endIndex {
                let range = ranges[end]
                let data = timeoutMilliseconds == nil ? 0 : userdata[Int(range.feed)].count
                let hasEnd = interval && range.last != Key.max
                let size = encodedSize(keyBytes: Key.byteCount, timeout: timeoutMilliseconds != nil,
                                       userdataBytes: data, hasEnd: hasEnd)
                if bytes + size > listBudget { break }
                bytes += size
                count += hasEnd ? 2 : 1
                end += 1
            }
            appendMessage(ranges[start..<end], table: table, set: set, interval: interval,
                          timeoutMilliseconds: timeoutMilliseconds,
                          userdata: userdata, bound: 1024 + align4(table.utf8.count + 1) + align4(set.utf8.count + 1) + bytes,
                          to: transaction)
            elements += count
            messages += 1
            start = end
        }
        return (elements, messages)
    }

    private static func appendMessage<Key: FeedKey>(_ ranges: ArraySlice<AddressRange<Key>>, table: String, set name: String,
                                                    interval: Bool, timeoutMilliseconds: UInt64?, userdata: [[UInt8]], bound: Int,
                                                    to transaction: NftTransaction) {
        let delete = timeoutMilliseconds == nil
        let what = "\(delete ? "deleting" : "adding") \(ranges.count) range(s) \(delete ? "from" : "to") set inet \(table) \(name)"
        transaction.append(what, maximumSize: bound) { buffer, sequence in
            let set = nftnl_set_alloc()!
            defer { nftnl_set_free(set) }   // frees the elements added to it
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_TABLE.rawValue), table)
            _ = nftnl_set_set_str(set, UInt16(NFTNL_SET_NAME.rawValue), name)
            nftnl_set_set_u32(set, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(NftMessages.Family.inet.rawValue))
            for range in ranges {
                let start = element(key: range.first)
                if let timeoutMilliseconds {
                    nftnl_set_elem_set_u64(start, UInt16(NFTNL_SET_ELEM_TIMEOUT), timeoutMilliseconds)
                    let data = userdata[Int(range.feed)]
                    if !data.isEmpty {
                        _ = data.withUnsafeBytes {
                            nftnl_set_elem_set(start, UInt16(NFTNL_SET_ELEM_USERDATA), $0.baseAddress, UInt32($0.count))
                        }
                    }
                }
                nftnl_set_elem_add(set, start)
                if interval, range.last != Key.max {
                    let end = element(key: range.last + 1)
                    nftnl_set_elem_set_u32(end, UInt16(NFTNL_SET_ELEM_FLAGS), UInt32(NFT_SET_ELEM_INTERVAL_END.rawValue))
                    nftnl_set_elem_add(set, end)
                }
            }
            let type = delete ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM
            let flags = delete ? UInt16(NLM_F_ACK) : NftMessages.createFlags
            let nlh = nftnl_nlmsg_build_hdr(buffer, UInt16(type.rawValue), NftMessages.Family.inet.rawValue, flags, sequence)
            nftnl_set_elems_nlmsg_build_payload(nlh, set)
        }
    }

    /// A set element whose key is `key` in network byte order.
    private static func element<Key: FeedKey>(key: Key) -> OpaquePointer {
        let e = nftnl_set_elem_alloc()!
        withUnsafeBytes(of: key.bigEndian) {
            _ = nftnl_set_elem_set(e, UInt16(NFTNL_SET_ELEM_KEY), $0.baseAddress, UInt32(Key.byteCount))
        }
        return e
    }
}
