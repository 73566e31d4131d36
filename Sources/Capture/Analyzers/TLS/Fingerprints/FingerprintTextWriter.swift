/// Writes the fingerprints' ASCII texts (JA3's decimal lists, JA4's 4-digit hex lists) through a raw pointer into
/// storage the caller sized beforehand from the lists' counts (`TLSFingerprinter.reserveText`), so no byte is
/// appended to a growing array and nothing is allocated. GREASE values (RFC 8701) are skipped where the formats
/// say so. Numbers are made from two-character tables (one load per byte of the value, or per two decimal digits)
/// and stored as one 8-byte word, of which only the number's characters are kept: the storage must have `slack`
/// bytes past the longest text.
struct FingerprintTextWriter {
    private let base: UnsafeMutablePointer<UInt8>
    /// Bytes written so far.
    private(set) var count = 0

    init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    /// Most bytes one 16-bit value takes in a decimal list (`65535-`) or a hex list (`ffff,`).
    static let decimalEntry = 6
    static let hexEntry = 5
    /// Bytes past the text's end one store may touch.
    static let slack = 8

    /// `00` to `ff`, two characters per byte value.
    private static var hexPairs: StaticString {
        """
        000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
        202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\
        404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\
        606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\
        808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f\
        a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\
        c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf\
        e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
        """
    }

    /// `00` to `99`, two characters per value.
    private static var decimalPairs: StaticString {
        """
        0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
        5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899
        """
    }

    /// The two characters of entry `index` of `table`, the first in the low byte.
    @inline(__always)
    private static func pair(_ table: StaticString, _ index: Int) -> UInt64 {
        UInt64(UInt16(littleEndian: UnsafeRawPointer(table.utf8Start + 2 &* index).loadUnaligned(as: UInt16.self)))
    }

    /// Stores `word`'s 8 bytes at the end of the text, lowest first, and keeps `kept` of them.
    @inline(__always)
    private mutating func store(_ word: UInt64, keeping kept: Int) {
        UnsafeMutableRawPointer(base + count).storeBytes(of: word.littleEndian, as: UInt64.self)
        count &+= kept
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        base[count] = value
        count += 1
    }

    /// `value` in decimal, no leading zeros: its five digits made at once (the top one, then two pairs), the
    /// leading zeros shifted out, the number of digits counted without a branch (lists mix 2- to 5-digit values).
    @inline(__always)
    mutating func decimal(_ value: UInt16) {
        let number = Int(value)
        let high = number / 100
        let word = UInt64(0x30 &+ high / 100) | Self.pair(Self.decimalPairs, high % 100) << 8
            | Self.pair(Self.decimalPairs, number % 100) << 24
        // 1 plus one for each power of ten the number reaches, without a branch: bit 16 of number + 2^16 - 10^k.
        let digits = 1 &+ (number &+ 65_526) >> 16 &+ (number &+ 65_436) >> 16 &+ (number &+ 64_536) >> 16
            &+ (number &+ 55_536) >> 16
        store(word >> UInt64(8 &* (5 &- digits)), keeping: digits)
    }

    /// `value` as 4 lowercase hex digits (two table pairs), stored with one word.
    @inline(__always)
    mutating func hex4(_ value: UInt16) {
        store(Self.hexWord(value), keeping: 4)
    }

    /// `,` then `value` as 4 lowercase hex digits, stored with one word.
    @inline(__always)
    private mutating func commaHex4(_ value: UInt16) {
        store(0x2C | Self.hexWord(value) << 8, keeping: 5)
    }

    /// `bytes` as two lowercase hex digits each at `out` (no slack needed: one 2-byte store per byte).
    @inline(__always)
    static func hexDigits(of bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
        for index in 0..<bytes.count {
            UnsafeMutableRawPointer(out + 2 &* index)
                .storeBytes(of: UInt16(truncatingIfNeeded: pair(hexPairs, Int(bytes[index]))).littleEndian, as: UInt16.self)
        }
    }

    @inline(__always)
    private static func hexWord(_ value: UInt16) -> UInt64 {
        pair(hexPairs, Int(value >> 8)) | pair(hexPairs, Int(value & 0xFF)) << 16
    }

    /// The non-GREASE values in decimal joined by `-` (JA3).
    @inline(__always)
    mutating func decimalList(_ values: UnsafeBufferPointer<UInt16>) {
        var first = true
        for value in values where !TLSGrease.isGrease(value) {
            if !first { byte(0x2D) }
            first = false
            decimal(value)
        }
    }

    /// Every value as 4-digit hex joined by `,` (JA4's sorted lists, GREASE already removed).
    @inline(__always)
    mutating func hexList(_ values: UnsafeBufferPointer<UInt16>) {
        guard let first = values.first else { return }
        hex4(first)
        for value in values.dropFirst() { commaHex4(value) }
    }

    /// `_` then the non-GREASE values as 4-digit hex joined by `,`; nothing when there is none (JA4 c's
    /// signature algorithms).
    @inline(__always)
    mutating func hexSuffix(_ values: UnsafeBufferPointer<UInt16>) {
        var separator: UInt64 = 0x5F
        for value in values where !TLSGrease.isGrease(value) {
            store(separator | Self.hexWord(value) << 8, keeping: 5)
            separator = 0x2C
        }
    }
}
