/// Parses ClientHello and ServerHello bodies (the bytes after the 4-byte handshake header, RFC 8446 §4.1.2 and
/// §4.1.3, RFC 5246 §7.4.1), bounded and total: every length is checked against its container before use, each
/// list is capped at `maxListEntries`, and the first malformation is thrown. Shared by TLS over TCP and QUIC.
///
/// A ClientHello is read in two passes: the extension headers alone first, for each list's room in the stores
/// (an upper bound from the extensions' lengths: a list may come in two extensions of one type), then every
/// check and every entry, copied by a `TLSClientHelloStoreWriter` straight to its place.
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

    /// Parses a ClientHello body into `hello` (its stores reused); after a throw `hello` is empty.
    static func parseClientHello(_ body: UnsafeRawBufferPointer, into hello: inout TLSClientHello)
        throws(TLSMalformation) {
        let reader = ByteReader(body)
        guard reader.has(35, at: 0) else { hello.reset(); throw .clientHelloTruncated }
        var cursor = 34
        let sessionLength = Int(reader.u8(at: cursor))
        cursor += 1 + sessionLength
        guard sessionLength <= 32, reader.has(2, at: cursor) else { hello.reset(); throw .clientHelloTruncated }
        let cipherBytes = Int(reader.be16(at: cursor))
        cursor += 2
        guard cipherBytes & 1 == 0, reader.has(cipherBytes, at: cursor) else { hello.reset(); throw .clientHelloTruncated }
        guard cipherBytes / 2 <= maxListEntries else { hello.reset(); throw .tooManyEntries }
        let cipherStart = cursor
        cursor += cipherBytes
        guard reader.has(1, at: cursor) else { hello.reset(); throw .clientHelloTruncated }
        let compressionLength = Int(reader.u8(at: cursor))
        cursor += 1 + compressionLength
        guard cursor <= body.count else { hello.reset(); throw .clientHelloTruncated }
        // No extensions at all (SSL 3.0 style) when the methods end the body.
        let extensionStart = cursor < body.count ? cursor : nil
        var layout = extensionStart.map { rooms(reader, from: $0) } ?? TLSClientHello.Layout()
        layout.values[TLSClientHello.List.ciphers.rawValue] = UInt32(cipherBytes / 2)
        layout.bytes[TLSClientHello.Text.sessionID.rawValue] = UInt32(sessionLength)
        hello.layOut(layout)
        hello.legacyVersion = reader.be16(at: 0)
        hello.hasServerName = false
        let valueStarts = hello.valueStarts, byteStarts = hello.byteStarts
        var sawServerName = false
        do throws(TLSMalformation) {
            let ends = try hello.withStores { (values, bytes) throws(TLSMalformation) in
                var writer = TLSClientHelloStoreWriter(reader, values: values, valueStarts: valueStarts,
                                                       bytes: bytes, byteStarts: byteStarts)
                try writer.bytes(.sessionID, from: 35, count: sessionLength)
                try writer.values(.ciphers, from: cipherStart, count: cipherBytes / 2)
                if let extensionStart {
                    try forEachExtension(reader, from: extensionStart) { (type, start, length) throws(TLSMalformation) in
                        guard writer.count(.extensions) < maxListEntries else { throw .tooManyEntries }
                        try writer.extensionType(type)
                        if type == Extension.serverName { sawServerName = true }
                        try clientExtension(type, reader, start, length, &writer)
                    }
                }
                return (writer.valueEnds, writer.byteEnds)
            }
            hello.setEnds(values: ends.0, bytes: ends.1)
            hello.hasServerName = sawServerName
        } catch {
            hello.reset()
            throw error
        }
    }

    /// Each list's and string's room from the extension headers alone (the first pass): every extension the
    /// second pass can read has a whole header inside the block, and its entries come from its own data, so its
    /// data length bounds them. Stops at the first header that does not fit (where the second pass throws).
    @inline(__always)
    private static func rooms(_ reader: ByteReader, from start: Int) -> TLSClientHello.Layout {
        var layout = TLSClientHello.Layout()
        guard reader.has(2, at: start) else { return layout }
        let total = Int(reader.be16(at: start))
        guard reader.has(total, at: start + 2) else { return layout }
        var cursor = start + 2
        let end = cursor + total
        var extensions: UInt32 = 0, serverName: UInt32 = 0
        while cursor + 4 <= end {
            let type = reader.be16(at: cursor)
            let length = UInt32(reader.be16(at: cursor + 2))
            guard cursor + 4 + Int(length) <= end else { break }
            extensions &+= 1
            switch type {
            case Extension.serverName: serverName = max(serverName, length)    // one name is kept, from one extension
            case Extension.alpn:
                layout.values[TLSClientHello.List.alpnEnds.rawValue] &+= length
                layout.bytes[TLSClientHello.Text.alpn.rawValue] &+= length
            case Extension.supportedGroups: layout.values[TLSClientHello.List.groups.rawValue] &+= length / 2
            case Extension.signatureAlgorithms: layout.values[TLSClientHello.List.signatureAlgorithms.rawValue] &+= length / 2
            case Extension.supportedVersions: layout.values[TLSClientHello.List.supportedVersions.rawValue] &+= length / 2
            case Extension.pointFormats: layout.bytes[TLSClientHello.Text.pointFormats.rawValue] &+= length
            default: break
            }
            cursor += 4 + Int(length)
        }
        layout.values[TLSClientHello.List.extensions.rawValue] = extensions
        layout.bytes[TLSClientHello.Text.serverName.rawValue] = serverName
        return layout
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
                                        _ sink: inout TLSClientHelloStoreWriter) throws(TLSMalformation) {
        switch type {
        case Extension.serverName:
            guard length >= 2 else { return }                                  // an empty server_name (server side)
            let listEnd = start + 2 + Int(reader.be16(at: start))
            guard listEnd <= start + length else { throw .extensionTruncated }
            var cursor = start + 2
            while cursor + 3 <= listEnd {
                let nameType = reader.u8(at: cursor)
                let nameLength = Int(reader.be16(at: cursor + 1))
                guard cursor + 3 + nameLength <= listEnd else { throw .extensionTruncated }
                // The first host_name with a name; an empty one is passed over.
                if nameType == 0 && sink.count(.serverName) == 0 { try sink.bytes(.serverName, from: cursor + 3, count: nameLength) }
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
                guard sink.count(.alpnEnds) < maxListEntries else { throw .tooManyEntries }
                try sink.alpnProtocol(from: cursor + 1, count: nameLength)
                cursor += 1 + nameLength
            }
        case Extension.supportedGroups:
            try list16(reader, start, length, prefix: 2, .groups, &sink)
        case Extension.signatureAlgorithms:
            try list16(reader, start, length, prefix: 2, .signatureAlgorithms, &sink)
        case Extension.supportedVersions:
            try list16(reader, start, length, prefix: 1, .supportedVersions, &sink)
        case Extension.pointFormats:
            guard length >= 1 else { throw .extensionTruncated }
            let count = Int(reader.u8(at: start))
            guard 1 + count <= length else { throw .extensionTruncated }
            try sink.bytes(.pointFormats, from: start + 1, count: count)
        default: break
        }
    }

    /// A list of 16-bit values behind a 1- or 2-byte length inside an extension's data.
    @inline(__always)
    private static func list16(_ reader: ByteReader, _ start: Int, _ length: Int, prefix: Int,
                               _ list: TLSClientHello.List, _ sink: inout TLSClientHelloStoreWriter) throws(TLSMalformation) {
        guard length >= prefix else { throw .extensionTruncated }
        let bytes = prefix == 1 ? Int(reader.u8(at: start)) : Int(reader.be16(at: start))
        guard bytes & 1 == 0, prefix + bytes <= length else { throw .extensionTruncated }
        guard bytes / 2 <= maxListEntries else { throw .tooManyEntries }
        try sink.values(list, from: start + prefix, count: bytes / 2)
    }
}
