/// Parses ClientHello and ServerHello bodies (the bytes after the 4-byte handshake header, RFC 8446 §4.1.2 and
/// §4.1.3, RFC 5246 §7.4.1), bounded and total: every length is checked against its container before use, each
/// list is capped at `maxListEntries`, and the first malformation is thrown. Shared by TLS over TCP and QUIC.
enum TLSHelloParser {
    /// Most entries kept from one list (ciphers, extensions, groups, …); a hello with more is malformed here.
    static let maxListEntries = 512

    /// Extension types read by the parsers.
    enum Extension {
        static let serverName: UInt16 = 0
        static let supportedGroups: UInt16 = 10
        static let pointFormats: UInt16 = 11
        static let signatureAlgorithms: UInt16 = 13
        static let alpn: UInt16 = 16
        static let supportedVersions: UInt16 = 43
        static let keyShare: UInt16 = 51
    }

    /// Parses a ClientHello body into `hello` (its storage reused).
    static func parseClientHello(_ body: UnsafeRawBufferPointer, into hello: inout TLSClientHello)
        throws(TLSMalformation) {
        hello.reset()
        let reader = ByteReader(body)
        guard reader.has(35, at: 0) else { throw .clientHelloTruncated }
        hello.legacyVersion = reader.be16(at: 0)
        var cursor = 34
        let sessionLength = Int(reader.u8(at: cursor))
        cursor += 1 + sessionLength
        guard sessionLength <= 32, reader.has(2, at: cursor) else { throw .clientHelloTruncated }
        hello.sessionID.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[35..<(35 + sessionLength)]))
        let cipherBytes = Int(reader.be16(at: cursor))
        cursor += 2
        guard cipherBytes & 1 == 0, reader.has(cipherBytes, at: cursor) else { throw .clientHelloTruncated }
        guard cipherBytes / 2 <= maxListEntries else { throw .tooManyEntries }
        hello.ciphers.reserveCapacity(cipherBytes / 2)
        appendBigEndian16(reader, from: cursor, count: cipherBytes / 2, to: &hello.ciphers)
        cursor += cipherBytes
        guard reader.has(1, at: cursor) else { throw .clientHelloTruncated }
        let compressionLength = Int(reader.u8(at: cursor))
        cursor += 1 + compressionLength
        guard cursor <= body.count else { throw .clientHelloTruncated }
        guard cursor < body.count else { return }                               // no extensions (SSL 3.0 style)
        try forEachExtension(reader, from: cursor) { (type, start, length) throws(TLSMalformation) in
            guard hello.extensions.count < maxListEntries else { throw .tooManyEntries }
            hello.extensions.append(type)
            try clientExtension(type, reader, start, length, &hello)
        }
    }

    /// Parses a ServerHello body into `hello`.
    static func parseServerHello(_ body: UnsafeRawBufferPointer, into hello: inout TLSServerHello)
        throws(TLSMalformation) {
        hello = TLSServerHello()
        let reader = ByteReader(body)
        guard reader.has(35, at: 0) else { throw .serverHelloTruncated }
        hello.legacyVersion = reader.be16(at: 0)
        let sessionLength = Int(reader.u8(at: 34))
        var cursor = 35 + sessionLength
        guard sessionLength <= 32, reader.has(3, at: cursor) else { throw .serverHelloTruncated }
        hello.sessionID = [UInt8](UnsafeRawBufferPointer(rebasing: body[35..<(35 + sessionLength)]))
        hello.cipher = reader.be16(at: cursor)
        cursor += 3
        guard cursor < body.count else { return }
        try forEachExtension(reader, from: cursor) { (type, start, length) throws(TLSMalformation) in
            guard hello.extensions.count < maxListEntries else { throw .tooManyEntries }
            hello.extensions.append(type)
            switch type {
            case Extension.supportedVersions:
                guard length >= 2 else { throw .extensionTruncated }
                hello.selectedVersion = reader.be16(at: start)
            case Extension.keyShare:
                guard length >= 2 else { throw .extensionTruncated }
                hello.keyShareGroup = reader.be16(at: start)
            case Extension.alpn:
                guard length >= 3 else { throw .extensionTruncated }
                let nameLength = Int(reader.u8(at: start + 2))
                guard 3 + nameLength <= length else { throw .extensionTruncated }
                hello.alpn = String(decoding: UnsafeRawBufferPointer(rebasing: reader.raw[(start + 3)..<(start + 3 + nameLength)]),
                                    as: UTF8.self)
            default: break
            }
        }
    }

    /// Calls `body` with each extension's type, data offset and data length; the block's and each
    /// extension's lengths are checked first.
    @inline(__always)
    private static func forEachExtension(_ reader: ByteReader, from start: Int,
                                         _ body: (UInt16, Int, Int) throws(TLSMalformation) -> Void)
        throws(TLSMalformation) {
        guard reader.has(2, at: start) else { throw .extensionTruncated }
        let total = Int(reader.be16(at: start))
        guard reader.has(total, at: start + 2) else { throw .extensionTruncated }
        var cursor = start + 2
        let end = cursor + total
        while cursor < end {
            guard cursor + 4 <= end else { throw .extensionTruncated }
            let type = reader.be16(at: cursor)
            let length = Int(reader.be16(at: cursor + 2))
            guard cursor + 4 + length <= end else { throw .extensionTruncated }
            try body(type, cursor + 4, length)
            cursor += 4 + length
        }
    }

    /// One ClientHello extension's data.
    @inline(__always)
    private static func clientExtension(_ type: UInt16, _ reader: ByteReader, _ start: Int, _ length: Int,
                                        _ hello: inout TLSClientHello) throws(TLSMalformation) {
        switch type {
        case Extension.serverName:
            hello.hasServerName = true
            guard length >= 2 else { return }                                  // an empty server_name (server side)
            let listEnd = start + 2 + Int(reader.be16(at: start))
            guard listEnd <= start + length else { throw .extensionTruncated }
            var cursor = start + 2
            while cursor + 3 <= listEnd {
                let nameType = reader.u8(at: cursor)
                let nameLength = Int(reader.be16(at: cursor + 1))
                guard cursor + 3 + nameLength <= listEnd else { throw .extensionTruncated }
                if nameType == 0 && hello.serverNameBytes.isEmpty {
                    hello.serverNameBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: reader.raw[(cursor + 3)..<(cursor + 3 + nameLength)]))
                }
                cursor += 3 + nameLength
            }
        case Extension.alpn:
            guard length >= 2 else { throw .extensionTruncated }
            let listEnd = start + 2 + Int(reader.be16(at: start))
            guard listEnd <= start + length else { throw .extensionTruncated }
            var cursor = start + 2
            while cursor < listEnd {
                let nameLength = Int(reader.u8(at: cursor))
                guard cursor + 1 + nameLength <= listEnd else { throw .extensionTruncated }
                guard hello.alpnEnds.count < maxListEntries else { throw .tooManyEntries }
                hello.alpnBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: reader.raw[(cursor + 1)..<(cursor + 1 + nameLength)]))
                // Every extension lies in the 16-bit extensions block: the bytes of all ALPN names fit in UInt16.
                hello.alpnEnds.append(UInt16(hello.alpnBytes.count))
                cursor += 1 + nameLength
            }
        case Extension.supportedGroups:
            try list16(reader, start, length, prefix: 2, into: &hello.groups)
        case Extension.signatureAlgorithms:
            try list16(reader, start, length, prefix: 2, into: &hello.signatureAlgorithms)
        case Extension.supportedVersions:
            try list16(reader, start, length, prefix: 1, into: &hello.supportedVersions)
        case Extension.pointFormats:
            guard length >= 1 else { throw .extensionTruncated }
            let count = Int(reader.u8(at: start))
            guard 1 + count <= length else { throw .extensionTruncated }
            for index in 0..<count { hello.pointFormats.append(reader.u8(at: start + 1 + index)) }
        default: break
        }
    }

    /// A list of 16-bit values behind a 1- or 2-byte length inside an extension's data.
    @inline(__always)
    private static func list16(_ reader: ByteReader, _ start: Int, _ length: Int, prefix: Int,
                               into list: inout [UInt16]) throws(TLSMalformation) {
        guard length >= prefix else { throw .extensionTruncated }
        let bytes = prefix == 1 ? Int(reader.u8(at: start)) : Int(reader.be16(at: start))
        guard bytes & 1 == 0, prefix + bytes <= length else { throw .extensionTruncated }
        guard bytes / 2 <= maxListEntries else { throw .tooManyEntries }
        appendBigEndian16(reader, from: start + prefix, count: bytes / 2, to: &list)
    }

    /// Appends `count` big-endian 16-bit values read from `start` on (checked by the caller; checked again here
    /// once for the whole run): the array grows once for the list, then the values are stored through its buffer
    /// (no capacity or bounds check per value).
    @inline(__always)
    private static func appendBigEndian16(_ reader: ByteReader, from start: Int, count: Int, to list: inout [UInt16]) {
        guard count > 0 else { return }
        precondition(reader.has(2 * count, at: start), "TLSHelloParser: list beyond the hello")
        let old = list.count
        list.append(contentsOf: repeatElement(0, count: count))
        list.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress! + old
            for index in 0..<count {
                out[index] = UInt16(bigEndian: reader.raw.loadUnaligned(fromByteOffset: start + 2 * index, as: UInt16.self))
            }
        }
    }
}
