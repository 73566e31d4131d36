import NetCore
/// The userdata stored with each blocked element (`NFTA_SET_ELEM_USERDATA`), so that `slipsd list` — or plain
/// `nft list set` — can say why an address is blocked without the daemon's memory.
///
/// Format: type-length-value records of one byte type and one byte length, as nft itself uses. Type 0 is nft's
/// element comment (a NUL-terminated string), which holds the reason, so `nft list set inet slipsd blocked4`
/// prints `comment "<reason>"`. Type 0xA1 is slipsd's own record for the alert id (NUL-terminated); nft skips
/// record types it does not know.
enum ElementUserData {
    /// nft's `NFTNL_UDATA_SET_ELEM_COMMENT`.
    static let commentType: UInt8 = 0
    /// slipsd's alert id record.
    static let alertIDType: UInt8 = 0xA1
    /// Longest alert id kept (a UUID is 36 bytes).
    static let alertIDLimit = 64

    /// Encodes `reason` and `alertID` into at most `limit` bytes (at least 8), cutting the texts at UTF-8
    /// scalar boundaries: the alert id to 64 bytes (and half the limit), the reason to what is left.
    static func encode(reason: String, alertID: String, limit: Int) -> [UInt8] {
        let limit = max(limit, 8)
        let id = truncated(alertID, to: min(alertIDLimit, limit / 2))
        let idRecord = id.isEmpty ? 0 : id.count + 3
        let text = truncated(reason, to: min(limit - idRecord - 3, 254))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count + 3 + idRecord)
        if !text.isEmpty {
            bytes.append(commentType)
            bytes.append(UInt8(text.count + 1))
            bytes.append(contentsOf: text)
            bytes.append(0)
        }
        if !id.isEmpty {
            bytes.append(alertIDType)
            bytes.append(UInt8(id.count + 1))
            bytes.append(contentsOf: id)
            bytes.append(0)
        }
        return bytes
    }

    /// Decodes the reason (nft comment) and the alert id; unknown records are skipped, a malformed tail ends
    /// the parse (an operator may have written the element by hand).
    static func decode(_ bytes: [UInt8]) -> (reason: String?, alertID: String?) {
        var reason: String?
        var alertID: String?
        var offset = 0
        while offset + 2 <= bytes.count {
            let type = bytes[offset]
            let length = Int(bytes[offset + 1])
            let start = offset + 2
            guard start + length <= bytes.count else { break }
            let value = bytes[start..<start + length].prefix { $0 != 0 }
            let text = String(decoding: value, as: UTF8.self)
            if type == commentType { reason = text }
            if type == alertIDType { alertID = text }
            offset = start + length
        }
        return (reason, alertID)
    }

    /// The UTF-8 bytes of `text` without NUL bytes, cut to at most `limit` bytes without splitting a scalar.
    static func truncated(_ text: String, to limit: Int) -> [UInt8] {
        guard limit > 0 else { return [] }
        var text = text
        return text.withUTF8 { utf8 in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(utf8.count, limit))
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                if byte != 0 {
                    if bytes.count == limit {
                        // Full: if this byte continues a scalar (10xxxxxx), drop that scalar's first bytes too.
                        if byte & 0xC0 == 0x80 {
                            while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
                            if !bytes.isEmpty { bytes.removeLast() }
                        }
                        break
                    }
                    bytes.append(byte)
                }
                index += 1
            }
            return bytes
        }
    }
}
