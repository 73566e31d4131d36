import Crypto

/// Computes JA3 and JA3S (Salesforce: decimal fields joined by `-` and `,`, GREASE removed, MD5) and JA4 (FoxIO:
/// `t`/`q`, version, SNI, counts, ALPN, then truncated SHA-256 of the sorted ciphers and of the sorted extensions
/// less SNI/ALPN with the signature algorithms in wire order). The text is written as ASCII into scratch storage
/// the fingerprinter keeps, so one instance computes many fingerprints without growing; hashes are swift-crypto's.
/// Not `Sendable`: one per pipeline thread (or per benchmark loop).
struct TLSFingerprinter {
    /// The text being hashed: the first `textCount` bytes (the storage is sized once, then reused).
    private var text = [UInt8](repeating: 0, count: 4096)
    private var textCount = 0

    init() {}

    // MARK: JA3 / JA3S

    /// JA3's text: `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`.
    mutating func ja3Text(_ hello: TLSClientHello) -> String {
        writeJA3(hello)
        return text.withUnsafeBufferPointer { String(decoding: $0[..<textCount], as: UTF8.self) }
    }

    /// JA3: the MD5 of `ja3Text`, lowercase hex.
    mutating func ja3(_ hello: TLSClientHello) -> String {
        writeJA3(hello)
        return md5HexOfText()
    }

    /// JA3S's text: `SSLVersion,Cipher,SSLExtension`.
    mutating func ja3sText(_ hello: TLSServerHello) -> String {
        writeJA3S(hello)
        return text.withUnsafeBufferPointer { String(decoding: $0[..<textCount], as: UTF8.self) }
    }

    /// JA3S: the MD5 of `ja3sText`, lowercase hex.
    mutating func ja3s(_ hello: TLSServerHello) -> String {
        writeJA3S(hello)
        return md5HexOfText()
    }

    private mutating func writeJA3(_ hello: TLSClientHello) {
        let entry = FingerprintTextWriter.decimalEntry
        reserveText(entry * (2 + hello.count(.ciphers) + hello.count(.extensions) + hello.count(.groups))
                    + 4 * hello.range(.pointFormats).count + FingerprintTextWriter.slack)
        textCount = text.withUnsafeMutableBufferPointer { buffer in
            hello.withValues { values in
                var writer = FingerprintTextWriter(buffer.baseAddress!)
                writer.decimal(hello.legacyVersion)
                writer.byte(0x2C)
                writer.decimalList(UnsafeBufferPointer(rebasing: values[hello.range(.ciphers)]))
                writer.byte(0x2C)
                writer.decimalList(UnsafeBufferPointer(rebasing: values[hello.range(.extensions)]))
                writer.byte(0x2C)
                writer.decimalList(UnsafeBufferPointer(rebasing: values[hello.range(.groups)]))
                writer.byte(0x2C)
                var first = true
                for format in hello.text(.pointFormats) {
                    if !first { writer.byte(0x2D) }
                    first = false
                    writer.decimal(UInt16(format))
                }
                return writer.count
            }
        }
    }

    private mutating func writeJA3S(_ hello: TLSServerHello) {
        reserveText(FingerprintTextWriter.decimalEntry * (3 + hello.extensions.count) + FingerprintTextWriter.slack)
        textCount = text.withUnsafeMutableBufferPointer { buffer in
            var writer = FingerprintTextWriter(buffer.baseAddress!)
            writer.decimal(hello.legacyVersion)
            writer.byte(0x2C)
            writer.decimal(hello.cipher)
            writer.byte(0x2C)
            hello.extensions.withUnsafeBufferPointer { writer.decimalList($0) }
            return writer.count
        }
    }

    /// Makes `text` hold at least `bytes` (it only grows, and only for hellos larger than any seen before).
    private mutating func reserveText(_ bytes: Int) {
        if text.count < bytes { text = [UInt8](repeating: 0, count: max(bytes, 2 * text.count)) }
    }

    private func md5HexOfText() -> String {
        var hash = Insecure.MD5()
        text.withUnsafeBytes { hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<textCount])) }
        return Self.hex(hash.finalize())
    }

    // MARK: JA4

    /// JA4 of a ClientHello; `quic` selects the `q` prefix (else `t`, TLS over TCP). One pass per list on
    /// borrowed storage: GREASE is dropped while a list is copied into a stack buffer and sorted there, the hashed
    /// b and c texts are written as ASCII into a second stack buffer, and the 36 characters go straight into the
    /// result String's own storage (its one allocation).
    mutating func ja4(_ hello: TLSClientHello, quic: Bool) -> String {
        let version = Self.ja4VersionPair(hello.highestVersion)
        let alpn = Self.ja4ALPNPair(hello.firstALPN)
        let sni: UInt8 = hello.hasServerName ? 0x64 : 0x69
        return hello.withValues { values in
            Self.ja4(head: (quic ? 0x71 : 0x74, version.0, version.1, sni, alpn.0, alpn.1),
                     ciphers: UnsafeBufferPointer(rebasing: values[hello.range(.ciphers)]),
                     extensions: UnsafeBufferPointer(rebasing: values[hello.range(.extensions)]),
                     signatures: UnsafeBufferPointer(rebasing: values[hello.range(.signatureAlgorithms)]))
        }
    }

    /// JA4's 36 characters from its parts: `head` holds the protocol, version, SNI and ALPN characters.
    private static func ja4(head: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8), ciphers: UnsafeBufferPointer<UInt16>,
                            extensions: UnsafeBufferPointer<UInt16>,
                            signatures: UnsafeBufferPointer<UInt16>) -> String {
        let listCapacity = max(ciphers.count, extensions.count, 1)
        let textCapacity = FingerprintTextWriter.hexEntry * (max(ciphers.count, extensions.count + signatures.count) + 1)
            + FingerprintTextWriter.slack
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: listCapacity) { list in
            withUnsafeTemporaryAllocation(of: Int16.self, capacity: (min(listCapacity, rankSortLimit) + 15) & ~15) { keys in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: textCapacity) { text in
                    String(unsafeUninitializedCapacity: 36) { out in
                        out[0] = head.0
                        out[1] = head.1
                        out[2] = head.2
                        out[3] = head.3
                        let cipherCount = sortedWithoutGrease(ciphers, into: list, keys: keys.baseAddress!,
                                                              droppingSNIAndALPN: false)
                        var extensionCount = 0
                        for value in extensions { extensionCount &+= TLSGrease.isGrease(value) ? 0 : 1 }
                        twoDigits(min(cipherCount, 99), into: out, at: 4)
                        twoDigits(min(extensionCount, 99), into: out, at: 6)
                        out[8] = head.4
                        out[9] = head.5
                        out[10] = 0x5F
                        // b: sorted ciphers.
                        listHash(UnsafeBufferPointer(rebasing: list[..<cipherCount]), suffix: nil, text: text, into: out, at: 11)
                        out[23] = 0x5F
                        // c: sorted extensions less SNI and ALPN, then the signature algorithms in wire order.
                        let kept = sortedWithoutGrease(extensions, into: list, keys: keys.baseAddress!, droppingSNIAndALPN: true)
                        listHash(UnsafeBufferPointer(rebasing: list[..<kept]), suffix: signatures, text: text, into: out, at: 24)
                        return 36
                    }
                }
            }
        }
    }

    /// JA4's 2-character version as two ASCII bytes.
    @inline(__always)
    static func ja4VersionPair(_ version: UInt16) -> (UInt8, UInt8) {
        switch version {
        case 0x0304: (0x31, 0x33)      // 13
        case 0x0303: (0x31, 0x32)      // 12
        case 0x0302: (0x31, 0x31)      // 11
        case 0x0301: (0x31, 0x30)      // 10
        case 0x0300: (0x73, 0x33)      // s3
        case 0x0002: (0x73, 0x32)      // s2
        case 0xFEFF: (0x64, 0x31)      // d1
        case 0xFEFD: (0x64, 0x32)      // d2
        case 0xFEFC: (0x64, 0x33)      // d3
        default: (0x30, 0x30)          // 00
        }
    }

    /// JA4's ALPN part as two ASCII bytes: the first and last characters of the first protocol, their hex digits
    /// when either is not alphanumeric, `00` when there is none.
    @inline(__always)
    static func ja4ALPNPair(_ first: some BidirectionalCollection<UInt8>) -> (UInt8, UInt8) {
        guard let head = first.first, let tail = first.last else { return (0x30, 0x30) }
        if isAlphanumeric(head) && isAlphanumeric(tail) { return (head, tail) }
        return (hexDigit(head >> 4), hexDigit(tail & 0x0F))
    }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 { 0x30 &+ nibble &+ ((nibble &+ 6) >> 4) &* 0x27 }

    /// `value` (0...99) as two ASCII digits at `offset`.
    @inline(__always)
    static func twoDigits(_ value: Int, into out: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        out[offset] = 0x30 + UInt8(value / 10)
        out[offset + 1] = 0x30 + UInt8(value % 10)
    }

    /// Copies `values` less GREASE (and less SNI and ALPN when asked) into `list`, sorted ascending, and returns
    /// how many there are. Hellos carry a few dozen entries: each goes to its rank, the number of entries below
    /// it, counted for 16 entries at once — their keys (the value with its top bit flipped, so that a signed
    /// 16-bit comparison orders the values as unsigned) in one vector, compared with every other key in turn: no
    /// branch to mispredict, where an insertion sort mispredicts about once per value. Equal values share one
    /// rank; the places after it that no value took are filled with the value before them. Past `rankSortLimit`
    /// entries (the parser caps lists at 512) the library sort takes over.
    @inline(__always)
    private static func sortedWithoutGrease(_ values: UnsafeBufferPointer<UInt16>, into list: UnsafeMutableBufferPointer<UInt16>,
                                            keys: UnsafeMutablePointer<Int16>, droppingSNIAndALPN: Bool) -> Int {
        var count = 0
        guard values.count <= rankSortLimit else {
            for value in values where !TLSGrease.isGrease(value) {
                if droppingSNIAndALPN && (value == 0x0000 || value == 0x0010) { continue }
                list[count] = value
                count += 1
            }
            var kept = UnsafeMutableBufferPointer(rebasing: list[..<count])
            kept.sort()
            return count
        }
        for value in values where !TLSGrease.isGrease(value) {
            if droppingSNIAndALPN && (value == 0x0000 || value == 0x0010) { continue }
            keys[count] = Int16(bitPattern: value ^ 0x8000)
            count += 1
        }
        // Padded to whole vectors of 16 (the padding's ranks are not used).
        let padded = (count + 15) & ~15
        for index in count..<padded { keys[index] = Int16.max }
        let out = list.baseAddress!
        var taken: UInt64 = 0                                                  // the ranks given (count <= 64)
        var block = 0
        while block < count {
            // Two vectors of 8 (the standard library's 16-lane comparisons are not vectorized).
            let low = UnsafeRawPointer(keys + block).loadUnaligned(as: SIMD8<Int16>.self)
            let high = UnsafeRawPointer(keys + block + 8).loadUnaligned(as: SIMD8<Int16>.self)
            var lowRank = SIMD8<Int16>(), highRank = SIMD8<Int16>()
            for other in 0..<count {
                let key = SIMD8(repeating: keys[other])
                lowRank.replace(with: lowRank &+ 1, where: key .< low)
                highRank.replace(with: highRank &+ 1, where: key .< high)
            }
            for lane in 0..<min(16, count - block) {
                let place = Int(truncatingIfNeeded: lane < 8 ? lowRank[lane] : highRank[lane - 8])
                out[place] = UInt16(bitPattern: lane < 8 ? low[lane] : high[lane - 8]) ^ 0x8000
                taken |= 1 &<< UInt64(truncatingIfNeeded: place)
            }
            block += 16
        }
        if taken.nonzeroBitCount != count {                                    // equal values: fill their places
            for place in 1..<count where taken & (1 &<< UInt64(truncatingIfNeeded: place)) == 0 { out[place] = out[place - 1] }
        }
        return count
    }

    /// Longest list sorted by rank (quadratic, but branch-free; ranks fit 16 bits and the taken ranks one 64-bit
    /// mask); longer ones use the library sort.
    static let rankSortLimit = 64

    /// Writes at `offset` of `out` the first 12 hex digits of the SHA-256 of `list` as 4-digit hex joined by
    /// commas, then `_` and the non-GREASE `suffix` values the same way when there are any (the text is built
    /// in `text`); `000000000000` when `list` is empty.
    @inline(__always)
    private static func listHash(_ list: UnsafeBufferPointer<UInt16>, suffix: UnsafeBufferPointer<UInt16>?,
                                 text: UnsafeMutableBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>,
                                 at offset: Int) {
        guard !list.isEmpty else {
            for index in offset..<(offset + 12) { out[index] = 0x30 }
            return
        }
        var writer = FingerprintTextWriter(text.baseAddress!)
        writer.hexList(list)
        if let suffix { writer.hexSuffix(suffix) }
        var hasher = SHA256()
        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: text.baseAddress!, count: writer.count))
        let digest = hasher.finalize()
        digest.withUnsafeBytes { bytes in
            FingerprintTextWriter.hexDigits(of: UnsafeRawBufferPointer(rebasing: bytes[..<6]), into: out.baseAddress! + offset)
        }
    }

    // MARK: Hashes

    static func md5Hex(_ bytes: [UInt8]) -> String {
        var hash = Insecure.MD5()
        bytes.withUnsafeBytes { hash.update(bufferPointer: $0) }
        return hex(hash.finalize())
    }

    /// A digest in lowercase hex (two digits a byte).
    @inline(__always)
    static func hex(_ digest: some Digest) -> String {
        digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 2 * bytes.count) { out in
                FingerprintTextWriter.hexDigits(of: bytes, into: out.baseAddress!)
                return 2 * bytes.count
            }
        }
    }
}
