import Crypto

/// Computes JA3 and JA3S (Salesforce: decimal fields joined by `-` and `,`, GREASE removed, MD5) and JA4 (FoxIO:
/// `t`/`q`, version, SNI, counts, ALPN, then truncated SHA-256 of the sorted ciphers and of the sorted extensions
/// less SNI/ALPN with the signature algorithms in wire order). The text is written as ASCII into scratch storage
/// the fingerprinter keeps, so one instance computes many fingerprints without growing; hashes are swift-crypto's.
/// Not `Sendable`: one per pipeline thread (or per benchmark loop).
struct TLSFingerprinter {
    private var text: [UInt8] = []
    private var sorted: [UInt16] = []

    init() {
        text.reserveCapacity(4096)
        sorted.reserveCapacity(128)
    }

    // MARK: JA3 / JA3S

    /// JA3's text: `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`.
    mutating func ja3Text(_ hello: TLSClientHello) -> String {
        writeJA3(hello)
        return String(decoding: text, as: UTF8.self)
    }

    /// JA3: the MD5 of `ja3Text`, lowercase hex.
    mutating func ja3(_ hello: TLSClientHello) -> String {
        writeJA3(hello)
        return Self.md5Hex(text)
    }

    /// JA3S's text: `SSLVersion,Cipher,SSLExtension`.
    mutating func ja3sText(_ hello: TLSServerHello) -> String {
        writeJA3S(hello)
        return String(decoding: text, as: UTF8.self)
    }

    /// JA3S: the MD5 of `ja3sText`, lowercase hex.
    mutating func ja3s(_ hello: TLSServerHello) -> String {
        writeJA3S(hello)
        return Self.md5Hex(text)
    }

    private mutating func writeJA3(_ hello: TLSClientHello) {
        text.removeAll(keepingCapacity: true)
        decimal(UInt32(hello.legacyVersion))
        text.append(0x2C)
        decimalList(hello.ciphers)
        text.append(0x2C)
        decimalList(hello.extensions)
        text.append(0x2C)
        decimalList(hello.groups)
        text.append(0x2C)
        var first = true
        for format in hello.pointFormats {
            if !first { text.append(0x2D) }
            first = false
            decimal(UInt32(format))
        }
    }

    private mutating func writeJA3S(_ hello: TLSServerHello) {
        text.removeAll(keepingCapacity: true)
        decimal(UInt32(hello.legacyVersion))
        text.append(0x2C)
        decimal(UInt32(hello.cipher))
        text.append(0x2C)
        decimalList(hello.extensions)
    }

    // MARK: JA4

    /// JA4 of a ClientHello; `quic` selects the `q` prefix (else `t`, TLS over TCP).
    mutating func ja4(_ hello: TLSClientHello, quic: Bool) -> String {
        var a: [UInt8] = []
        a.reserveCapacity(10)
        a.append(quic ? 0x71 : 0x74)
        a.append(contentsOf: Self.ja4Version(hello.highestVersion))
        a.append(hello.hasServerName ? 0x64 : 0x69)
        let ciphers = hello.ciphers.reduce(0) { $0 + (TLSGrease.isGrease($1) ? 0 : 1) }
        let extensions = hello.extensions.reduce(0) { $0 + (TLSGrease.isGrease($1) ? 0 : 1) }
        Self.twoDigits(min(ciphers, 99), into: &a)
        Self.twoDigits(min(extensions, 99), into: &a)
        a.append(contentsOf: Self.ja4ALPN(hello.firstALPN))

        // b: sorted ciphers.
        sortedWithoutGrease(hello.ciphers, dropping: nil)
        let b = sorted.isEmpty ? Self.zeros : hexListHash(suffix: nil)
        // c: sorted extensions less SNI and ALPN, then the signature algorithms in wire order.
        sortedWithoutGrease(hello.extensions, dropping: (0x0000, 0x0010))
        let c = sorted.isEmpty ? Self.zeros : hexListHash(suffix: hello.signatureAlgorithms)
        var result = String(decoding: a, as: UTF8.self)
        result.append("_")
        result.append(b)
        result.append("_")
        result.append(c)
        return result
    }

    static let zeros = "000000000000"

    /// JA4's 2-character version.
    static func ja4Version(_ version: UInt16) -> [UInt8] {
        switch version {
        case 0x0304: Array("13".utf8)
        case 0x0303: Array("12".utf8)
        case 0x0302: Array("11".utf8)
        case 0x0301: Array("10".utf8)
        case 0x0300: Array("s3".utf8)
        case 0x0002: Array("s2".utf8)
        case 0xFEFF: Array("d1".utf8)
        case 0xFEFD: Array("d2".utf8)
        case 0xFEFC: Array("d3".utf8)
        default: Array("00".utf8)
        }
    }

    /// JA4's ALPN part: the first and last characters of the first protocol, their hex digits when either is not
    /// alphanumeric, `00` when there is none.
    static func ja4ALPN(_ first: [UInt8]) -> [UInt8] {
        guard let head = first.first, let tail = first.last else { return [0x30, 0x30] }
        if isAlphanumeric(head) && isAlphanumeric(tail) { return [head, tail] }
        return [hexDigit(head >> 4), hexDigit(tail & 0x0F)]
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

    private mutating func sortedWithoutGrease(_ values: [UInt16], dropping: (UInt16, UInt16)?) {
        sorted.removeAll(keepingCapacity: true)
        for value in values where !TLSGrease.isGrease(value) {
            if let dropping, value == dropping.0 || value == dropping.1 { continue }
            sorted.append(value)
        }
        sorted.sort()
    }

    /// The first 12 hex digits of the SHA-256 of `sorted` as 4-digit hex joined by commas, then `_` and
    /// `suffix` the same way when it is non-empty.
    private mutating func hexListHash(suffix: [UInt16]?) -> String {
        text.removeAll(keepingCapacity: true)
        hexList(sorted)
        if let suffix {
            var any = false
            for value in suffix where !TLSGrease.isGrease(value) {
                text.append(any ? 0x2C : 0x5F)
                any = true
                hex4(value)
            }
        }
        var hash = SHA256()
        text.withUnsafeBytes { hash.update(bufferPointer: $0) }
        return Self.hex(hash.finalize(), digits: 12)
    }

    // MARK: Text

    private mutating func hexList(_ values: [UInt16]) {
        var first = true
        for value in values {
            if !first { text.append(0x2C) }
            first = false
            hex4(value)
        }
    }

    @inline(__always)
    private mutating func hex4(_ value: UInt16) {
        text.append(Self.hexDigit(UInt8(value >> 12)))
        text.append(Self.hexDigit(UInt8((value >> 8) & 0xF)))
        text.append(Self.hexDigit(UInt8((value >> 4) & 0xF)))
        text.append(Self.hexDigit(UInt8(value & 0xF)))
    }

    private mutating func decimalList(_ values: [UInt16]) {
        var first = true
        for value in values where !TLSGrease.isGrease(value) {
            if !first { text.append(0x2D) }
            first = false
            decimal(UInt32(value))
        }
    }

    @inline(__always)
    private mutating func decimal(_ value: UInt32) {
        if value >= 10 { decimal(value / 10) }
        text.append(0x30 + UInt8(value % 10))
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
