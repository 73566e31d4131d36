/// Writes the fingerprints' ASCII texts (JA3's decimal lists, JA4's 4-digit hex lists) through a raw pointer into
/// storage the caller sized beforehand from the lists' counts (`TLSFingerprinter.reserveText`), so no byte is
/// appended to a growing array and nothing is allocated. GREASE values (RFC 8701) are skipped where the formats
/// say so.
struct FingerprintTextWriter {
    private let base: UnsafeMutablePointer<UInt8>
    /// Bytes written so far.
    private(set) var count = 0

    init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    /// Most bytes one 16-bit value takes in a decimal list (`65535-`) or a hex list (`ffff,`).
    static let decimalEntry = 6
    static let hexEntry = 5

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        base[count] = value
        count += 1
    }

    /// `value` in decimal, no leading zeros.
    @inline(__always)
    mutating func decimal(_ value: UInt32) {
        var digits = 1
        var rest = value
        while rest >= 10 { rest /= 10; digits += 1 }
        rest = value
        var index = count + digits - 1
        while index >= count {
            base[index] = 0x30 + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
        count += digits
    }

    /// `value` as 4 lowercase hex digits, made in one 32-bit word (each nibble spread to its own byte, then
    /// `0`–`9` or `a`–`f` added to every byte at once) and stored as 4 bytes.
    @inline(__always)
    mutating func hex4(_ value: UInt16) {
        let v = UInt32(value)
        // Memory order: the most significant nibble first.
        let nibbles = (v >> 12) | ((v >> 8) & 0xF) << 8 | ((v >> 4) & 0xF) << 16 | (v & 0xF) << 24
        let letters = ((nibbles &+ 0x0606_0606) >> 4) & 0x0101_0101
        let ascii = nibbles &+ 0x3030_3030 &+ letters &* 0x27
        UnsafeMutableRawPointer(base + count).storeBytes(of: ascii.littleEndian, as: UInt32.self)
        count += 4
    }

    /// The non-GREASE values in decimal joined by `-` (JA3).
    mutating func decimalList(_ values: some Sequence<UInt16>) {
        var first = true
        for value in values where !TLSGrease.isGrease(value) {
            if !first { byte(0x2D) }
            first = false
            decimal(UInt32(value))
        }
    }

    /// Every value as 4-digit hex joined by `,` (JA4's sorted lists, GREASE already removed).
    mutating func hexList(_ values: UnsafeBufferPointer<UInt16>) {
        var first = true
        for value in values {
            if !first { byte(0x2C) }
            first = false
            hex4(value)
        }
    }

    /// `_` then the non-GREASE values as 4-digit hex joined by `,`; nothing when there is none (JA4 c's
    /// signature algorithms).
    mutating func hexSuffix(_ values: UnsafeBufferPointer<UInt16>) {
        var any = false
        for value in values where !TLSGrease.isGrease(value) {
            byte(any ? 0x2C : 0x5F)
            any = true
            hex4(value)
        }
    }
}
