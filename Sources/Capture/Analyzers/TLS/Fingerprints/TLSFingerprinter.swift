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
    private var sorted: [UInt16] = []
    private var out: [UInt8] = []

    init() {
        sorted.reserveCapacity(128)
        out.reserveCapacity(64)
    }

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
        reserveText(entry * (2 + hello.ciphers.count + hello.extensions.count + hello.groups.count)
                    + 4 * hello.pointFormats.count)
        textCount = text.withUnsafeMutableBufferPointer { buffer in
            var writer = FingerprintTextWriter(buffer.baseAddress!)
            writer.decimal(UInt32(hello.legacyVersion))
            writer.byte(0x2C)
            writer.decimalList(hello.ciphers)
            writer.byte(0x2C)
            writer.decimalList(hello.extensions)
            writer.byte(0x2C)
            writer.decimalList(hello.groups)
            writer.byte(0x2C)
            var first = true
            for format in hello.pointFormats {
                if !first { writer.byte(0x2D) }
                first = false
                writer.decimal(UInt32(format))
            }
            return writer.count
        }
    }

    private mutating func writeJA3S(_ hello: TLSServerHello) {
        reserveText(FingerprintTextWriter.decimalEntry * (3 + hello.extensions.count))
        textCount = text.withUnsafeMutableBufferPointer { buffer in
            var writer = FingerprintTextWriter(buffer.baseAddress!)
            writer.decimal(UInt32(hello.legacyVersion))
            writer.byte(0x2C)
            writer.decimal(UInt32(hello.cipher))
            writer.byte(0x2C)
            writer.decimalList(hello.extensions)
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
        return Self.hex(hash.finalize(), digits: 32)
    }

    // MARK: JA4

    /// JA4 of a ClientHello; `quic` selects the `q` prefix (else `t`, TLS over TCP). The 36 characters are
    /// written as bytes into `out` (reused storage) and become one String at the end; the hashed b and c texts
    /// go through `text`, and the digests are hex-formatted straight into `out`.
    mutating func ja4(_ hello: TLSClientHello, quic: Bool) -> String {
        out.removeAll(keepingCapacity: true)
        out.append(quic ? 0x71 : 0x74)
        let version = Self.ja4VersionPair(hello.highestVersion)
        out.append(version.0)
        out.append(version.1)
        out.append(hello.hasServerName ? 0x64 : 0x69)
        var ciphers = 0
        for value in hello.ciphers where !TLSGrease.isGrease(value) { ciphers += 1 }
        var extensions = 0
        for value in hello.extensions where !TLSGrease.isGrease(value) { extensions += 1 }
        Self.twoDigits(min(ciphers, 99), into: &out)
        Self.twoDigits(min(extensions, 99), into: &out)
        let alpn = Self.ja4ALPNPair(hello.firstALPN)
        out.append(alpn.0)
        out.append(alpn.1)
        out.append(0x5F)
        // b: sorted ciphers.
        sortedWithoutGrease(hello.ciphers, dropping: nil)
        appendListHash(suffix: nil)
        out.append(0x5F)
        // c: sorted extensions less SNI and ALPN, then the signature algorithms in wire order.
        sortedWithoutGrease(hello.extensions, dropping: (0x0000, 0x0010))
        appendListHash(suffix: hello.signatureAlgorithms)
        return String(decoding: out, as: UTF8.self)
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
    static func ja4ALPNPair(_ first: [UInt8]) -> (UInt8, UInt8) {
        guard let head = first.first, let tail = first.last else { return (0x30, 0x30) }
        if isAlphanumeric(head) && isAlphanumeric(tail) { return (head, tail) }
        return (hexDigit(head >> 4), hexDigit(tail & 0x0F))
    }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    static func twoDigits(_ value: Int, into bytes: inout [UInt8]) {
        bytes.append(0x30 + UInt8(value / 10))
        bytes.append(0x30 + UInt8(value % 10))
    }

    /// `sorted` = `values` less GREASE (and less `dropping`), ascending. Hellos carry a few dozen entries, so an
    /// in-place insertion sort; the parser caps lists at 512, and past 32 entries the library sort takes over.
    private mutating func sortedWithoutGrease(_ values: [UInt16], dropping: (UInt16, UInt16)?) {
        sorted.removeAll(keepingCapacity: true)
        for value in values where !TLSGrease.isGrease(value) {
            if let dropping, value == dropping.0 || value == dropping.1 { continue }
            sorted.append(value)
        }
        guard sorted.count > 1 else { return }
        if sorted.count > 32 { sorted.sort(); return }
        sorted.withUnsafeMutableBufferPointer { list in
            for index in 1..<list.count {
                let value = list[index]
                var hole = index
                while hole > 0 && list[hole - 1] > value {
                    list[hole] = list[hole - 1]
                    hole -= 1
                }
                list[hole] = value
            }
        }
    }

    /// Appends to `out` the first 12 hex digits of the SHA-256 of `sorted` as 4-digit hex joined by commas, then
    /// `_` and `suffix` the same way when it is non-empty; `000000000000` when `sorted` is empty.
    private mutating func appendListHash(suffix: [UInt16]?) {
        guard !sorted.isEmpty else {
            out.append(contentsOf: repeatElement(0x30, count: 12))
            return
        }
        let list = sorted
        reserveText(FingerprintTextWriter.hexEntry * (list.count + (suffix?.count ?? 0)))
        var hash = SHA256()
        text.withUnsafeMutableBufferPointer { buffer in
            var writer = FingerprintTextWriter(buffer.baseAddress!)
            writer.hexList(list)
            if let suffix { writer.hexSuffix(suffix) }
            hash.update(bufferPointer: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: writer.count))
        }
        let digest = hash.finalize()
        digest.withUnsafeBytes { bytes in
            for index in 0..<6 {
                out.append(Self.hexDigit(bytes[index] >> 4))
                out.append(Self.hexDigit(bytes[index] & 0x0F))
            }
        }
    }

    // MARK: Hashes

    static func md5Hex(_ bytes: [UInt8]) -> String {
        var hash = Insecure.MD5()
        bytes.withUnsafeBytes { hash.update(bufferPointer: $0) }
        return hex(hash.finalize(), digits: 32)
    }

    /// The first `digits` lowercase hex digits of a digest.
    static func hex(_ digest: some Digest, digits: Int) -> String {
        digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: digits) { out in
                for index in 0..<digits {
                    let byte = bytes[index / 2]
                    out[index] = hexDigit(index & 1 == 0 ? byte >> 4 : byte & 0x0F)
                }
                return digits
            }
        }
    }
}
