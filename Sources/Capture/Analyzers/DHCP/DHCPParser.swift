import NetCore

/// Parses a DHCP message (BOOTP header, RFC 2131 §2; options, RFC 2132) from a UDP payload. Bounded and total:
/// every option's length is checked against the message, the option loop ends at the message's end or option
/// 255, option overload (52) is not followed.
enum DHCPParser {
    /// The options start after the 236-byte header and the cookie.
    static let optionsOffset = 240

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(DHCPMalformation) -> DHCPMessage {
        let reader = ByteReader(bytes)
        guard reader.has(optionsOffset, at: 0) else { throw .truncated }
        guard reader.be32(at: 236) == 0x6382_5363 else { throw .badCookie }
        let ethernet = reader.u8(at: 1) == 1 && reader.u8(at: 2) == 6
        var message = DHCPMessage(op: reader.u8(at: 0), xid: reader.be32(at: 4), clientAddress: reader.ipv4(at: 12),
                                  yourAddress: reader.ipv4(at: 16),
                                  hardwareAddress: ethernet ? reader.mac(at: 28) : nil, messageType: 0)
        var cursor = optionsOffset
        while cursor < bytes.count {
            let code = reader.u8(at: cursor)
            if code == 255 { break }
            if code == 0 {
                cursor += 1
                continue
            }
            guard reader.has(2, at: cursor) else { throw .optionTruncated }
            let length = Int(reader.u8(at: cursor + 1))
            let start = cursor + 2
            guard reader.has(length, at: start) else { throw .optionTruncated }
            try option(code, UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]), into: &message)
            cursor = start + length
        }
        guard message.messageType >= 1, Int(message.messageType) < DHCPMessage.typeNames.count else {
            throw .badMessageType
        }
        return message
    }

    private static func option(_ code: UInt8, _ value: UnsafeRawBufferPointer,
                               into message: inout DHCPMessage) throws(DHCPMalformation) {
        let reader = ByteReader(value)
        switch code {
        case 53:
            guard value.count == 1 else { throw .badOptionLength }
            message.messageType = value[0]
        case 12: message.hostName = text(value)
        case 15: message.domain = text(value)
        case 50:
            guard value.count == 4 else { throw .badOptionLength }
            message.requestedAddress = reader.ipv4(at: 0)
        case 54:
            guard value.count == 4 else { throw .badOptionLength }
            message.serverIdentifier = reader.ipv4(at: 0)
        case 51:
            guard value.count == 4 else { throw .badOptionLength }
            message.leaseSeconds = reader.be32(at: 0)
        case 61:
            if value.count == 7, value[0] == 1 { message.clientIdentifierMAC = reader.mac(at: 1) }
        case 81:
            // Flags, two obsolete RCODE bytes, then the name (RFC 4702 §2); ASCII or wire form by the E flag.
            guard value.count >= 3 else { throw .badOptionLength }
            let name = UnsafeRawBufferPointer(rebasing: value[3...])
            message.clientFQDN = value[0] & 0x04 != 0 ? wireName(name) : text(name)
        default:
            break
        }
    }

    /// An option's text without trailing NULs.
    private static func text(_ value: UnsafeRawBufferPointer) -> String {
        var end = value.count
        while end > 0, value[end - 1] == 0 { end -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: value[..<end]), as: UTF8.self)
    }

    /// A domain name in DNS wire form (labels, no compression) as dotted text; stops at a bad label.
    private static func wireName(_ value: UnsafeRawBufferPointer) -> String {
        var labels: [String] = []
        var cursor = 0
        while cursor < value.count {
            let length = Int(value[cursor])
            guard length > 0, length <= 63, cursor + 1 + length <= value.count else { break }
            labels.append(String(decoding: UnsafeRawBufferPointer(rebasing: value[(cursor + 1)..<(cursor + 1 + length)]),
                                 as: UTF8.self))
            cursor += 1 + length
        }
        return labels.joined(separator: ".")
    }
}
