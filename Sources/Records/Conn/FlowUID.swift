import NetCore

/// A flow's unique id as Zeek prints it: `C` followed by base-62 characters. Trivially copyable, 16 bytes; no
/// allocation until it is printed.
///
/// Two forms share the type:
/// - ids slipsd makes itself (`init(_:)`): a 64-bit value printed as `C` plus up to 11 base-62 digits;
/// - ids read from a log (`init?(text:)`): Zeek's own uids (`C` + 17 characters, e.g. `CYFpHn3Ip4R1y3OYpb`)
///   or any other base-62 id of up to 20 characters, kept exactly so that the records of one Zeek directory
///   join by uid as they do in Zeek.
public struct FlowUID: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// Numeric form: 0. Text form: the length (1...20) in the top 8 bits, then 6-bit character codes.
    @usableFromInline let textWord: UInt64
    /// Numeric form: the raw id. Text form: the remaining 6-bit character codes.
    @usableFromInline let valueWord: UInt64

    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    /// The most characters a text uid may have (20 × 6 bits + 8 bits of length fit in 128 bits).
    public static let maximumTextLength = 20

    /// Wraps a raw id made by slipsd (a per-run random seed mixed with a counter).
    @inlinable
    public init(_ value: UInt64) {
        textWord = 0
        valueWord = value
    }

    /// The raw 64-bit id of a numeric uid; nil for a uid read as text.
    public var value: UInt64? { textWord == 0 ? valueWord : nil }

    /// Reads a uid from a log: 1 to 20 base-62 characters (letters and digits), Zeek's `C…` uids among them.
    /// Nil for an empty id, a longer one, or any other character.
    public init?(text: some StringProtocol) {
        self.init(utf8: text.utf8)
    }

    /// Reads a uid from its UTF-8 bytes (a field of a log line, without making a `String`); see `init?(text:)`.
    @inlinable
    public init?(utf8 bytes: some Collection<UInt8>) {
        let count = bytes.count
        guard count >= 1, count <= 20 else { return nil }
        // 6 bits per character from bit 0 of `valueWord` upwards into `textWord` (120 bits in all).
        var high: UInt64 = UInt64(count) << 56
        var low: UInt64 = 0
        var bit = 0                                  // position in a 120-bit string: bits 0..<120
        for byte in bytes {
            let code: UInt64
            switch byte {
            case 0x30...0x39: code = UInt64(byte &- 0x30)            // 0-9
            case 0x41...0x5A: code = UInt64(byte &- 0x41 &+ 10)      // A-Z
            case 0x61...0x7A: code = UInt64(byte &- 0x61 &+ 36)      // a-z
            default: return nil
            }
            if bit + 6 <= 64 {
                low |= code << UInt64(bit)
            } else if bit >= 64 {
                high |= code << UInt64(bit - 64)
            } else {                                 // straddles the two words (bit 60)
                low |= code << UInt64(bit)
                high |= code >> UInt64(64 - bit)
            }
            bit += 6
        }
        textWord = high
        valueWord = low
    }

    /// `C` plus base-62 digits for a numeric uid; the characters as read for a text uid.
    public var description: String {
        if textWord == 0 {
            var digits: [UInt8] = [UInt8(ascii: "C")]
            var v = valueWord
            repeat {
                digits.append(Self.alphabet[Int(v % 62)])
                v /= 62
            } while v > 0
            return String(decoding: digits, as: UTF8.self)
        }
        let count = Int(textWord >> 56)
        var characters: [UInt8] = []
        characters.reserveCapacity(count)
        for index in 0..<count {
            let bit = index * 6
            let code: UInt64
            if bit + 6 <= 64 {
                code = (valueWord >> UInt64(bit)) & 0x3F
            } else if bit >= 64 {
                code = (textWord >> UInt64(bit - 64)) & 0x3F
            } else {
                code = ((valueWord >> UInt64(bit)) | (textWord << UInt64(64 - bit))) & 0x3F
            }
            characters.append(Self.alphabet[Int(code)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}

extension FlowUID {
    /// The bucket hash dictionaries and sets use, without running `Hasher` (SipHash seeding and finalisation were
    /// a measured 6 % of every-detector runs, most of it for uid-keyed maps). Ids are slipsd's own random values or
    /// Zeek's, never chosen by a sender, so a strong mixer keyed by the table's seed is enough (murmur3's finaliser).
    /// Equal uids give equal values, as `hash(into:)` does.
    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        var x = valueWord ^ UInt64(UInt(bitPattern: seed)) ^ (textWord &* 0x9E37_79B9_7F4A_7C15)
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return Int(bitPattern: UInt(x))
    }
}
