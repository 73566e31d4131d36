/// TLS handshake messages in wire form, built by the tests (RFC 8446 §4.1.2, §4.2).
enum TLSWire {
    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func be24(_ value: Int) -> [UInt8] { [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    static func list16(_ values: [UInt16]) -> [UInt8] { be16(UInt16(values.count * 2)) + values.flatMap(be16) }

    /// One extension: type, 2-byte length, data.
    static func ext(_ type: UInt16, _ data: [UInt8] = []) -> [UInt8] { be16(type) + be16(UInt16(data.count)) + data }

    static func sni(_ name: String) -> [UInt8] {
        let entry = [0] + be16(UInt16(name.utf8.count)) + Array(name.utf8)
        return ext(0, be16(UInt16(entry.count)) + entry)
    }

    static func alpn(_ protocols: [[UInt8]]) -> [UInt8] {
        let list = protocols.flatMap { [UInt8($0.count)] + $0 }
        return ext(16, be16(UInt16(list.count)) + list)
    }

    static func supportedVersions(_ versions: [UInt16]) -> [UInt8] {
        ext(43, [UInt8(versions.count * 2)] + versions.flatMap(be16))
    }

    /// A ClientHello body (after the handshake header).
    static func clientHelloBody(version: UInt16 = 0x0303, sessionID: [UInt8] = [], ciphers: [UInt16],
                                extensions: [[UInt8]]) -> [UInt8] {
        var body = be16(version) + [UInt8](repeating: 0x11, count: 32) + [UInt8(sessionID.count)] + sessionID
        body += list16(ciphers) + [1, 0]
        let block = extensions.flatMap { $0 }
        body += be16(UInt16(block.count)) + block
        return body
    }

    /// A handshake message: type, 3-byte length, body.
    static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] { [type] + be24(body.count) + body }

    /// A TLS record around `fragment`.
    static func record(_ type: UInt8 = 22, version: UInt16 = 0x0301, _ fragment: [UInt8]) -> [UInt8] {
        [type] + be16(version) + be16(UInt16(fragment.count)) + fragment
    }

    /// A ServerHello body.
    static func serverHelloBody(version: UInt16 = 0x0303, sessionID: [UInt8] = [], cipher: UInt16,
                                extensions: [[UInt8]]) -> [UInt8] {
        var body = be16(version) + [UInt8](repeating: 0x22, count: 32) + [UInt8(sessionID.count)] + sessionID
        body += be16(cipher) + [0]
        let block = extensions.flatMap { $0 }
        body += be16(UInt16(block.count)) + block
        return body
    }

    /// Bytes from hex text (whitespace ignored).
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.filter { $0.isHexDigit }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            bytes.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// FoxIO's JA4 example ClientHello (technical_details/JA4.md): its 15 ciphers and 16 extensions in the order
    /// the spec lists them, with GREASE values added (which JA4 ignores), SNI, ALPN h2 and TLS 1.3.
    static func foxIOExample(signatureAlgorithms: Bool = true) -> [UInt8] {
        let ciphers: [UInt16] = [0x2A2A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
                                 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
        let order: [UInt16] = [0x001B, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002D, 0x000D, 0x0005, 0x0023,
                               0x0012, 0x002B, 0xFF01, 0x000B, 0x000A, 0x0015]
        var extensions: [[UInt8]] = [ext(0x3A3A)]
        for type in order {
            switch type {
            case 0x0000: extensions.append(sni("example.org"))
            case 0x0010: extensions.append(alpn([Array("h2".utf8), Array("http/1.1".utf8)]))
            case 0x002B: extensions.append(supportedVersions([0x5A5A, 0x0304, 0x0303]))
            case 0x000D:
                extensions.append(signatureAlgorithms
                    ? ext(0x000D, list16([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]))
                    : ext(0x000D, list16([])))
            case 0x000A: extensions.append(ext(0x000A, list16([0x4A4A, 0x001D, 0x0017, 0x0018])))
            case 0x000B: extensions.append(ext(0x000B, [1, 0]))
            default: extensions.append(ext(type))
            }
        }
        extensions.append(ext(0x1A1A, [0]))
        return clientHelloBody(ciphers: ciphers, extensions: extensions)
    }
}
