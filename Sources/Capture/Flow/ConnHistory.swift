import NetCore
import Records
/// Zeek's connection history packed into 16 bytes of a flow slot: letters in order of first occurrence, each at
/// most once per direction, upper case for the originator, lower case for the responder, `^` when the direction
/// was flipped.
///
/// Encoding: 19 symbols (9 letters × 2 directions, plus `^`) with codes 1...19, 5 bits per entry. Entries 0..<12
/// live in `low`, entries 12..<19 in bits 0..<35 of `high`; bits 35..<54 of `high` are the set of symbols already
/// present, whose population count is the number of entries; bits 62 and 63 hold what the flow table proved about
/// the handshake (`synAckAcknowledgedSYN`, `handshakeVerified`), outside the history letters. No allocation until
/// `string` is read.
struct ConnHistory: BitwiseCopyable, Equatable {
    var low: UInt64 = 0
    var high: UInt64 = 0

    /// Zeek's history letters that slipsd records (`T` retransmission, `G` gap and `C` checksum are not tracked).
    enum Letter: UInt8 {
        /// `S`: SYN without ACK.
        case syn = 0
        /// `H`: SYN with ACK.
        case synAck
        /// `A`: pure ACK (no payload, no SYN/FIN/RST).
        case ack
        /// `D`: payload (no SYN/FIN/RST); for UDP, any packet.
        case data
        /// `F`: FIN.
        case fin
        /// `R`: RST.
        case rst
        /// `W`: zero window advertised.
        case zeroWindow
        /// `I`: inconsistent flags (FIN and RST together).
        case inconsistent
        /// `Q`: multi-flag packet (SYN with FIN or RST).
        case multiFlag
    }

    /// ASCII of the upper-case letters, in `Letter` order.
    private static let upper: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (83, 72, 65, 68, 70, 82, 87, 73, 81) // S H A D F R W I Q
    /// Code of `^`.
    static let flippedCode: UInt8 = 19
    private static let seenShift: UInt64 = 35
    /// The 19 bits of symbols present, from `seenShift` on.
    private static let seenMask: UInt64 = (1 << 19) - 1
    /// Bit of `high`: the responder's SYN-ACK acknowledged the originator's SYN (ack = originator ISN + 1).
    private static let synAckBit: UInt64 = 1 << 62
    /// Bit of `high`: the originator then acknowledged that SYN-ACK (ack = responder ISN + 1).
    private static let handshakeBit: UInt64 = 1 << 63

    /// The code of a letter sent by the originator (1...9) or the responder (10...18).
    @inline(__always)
    static func code(_ letter: Letter, originator: Bool) -> UInt8 {
        letter.rawValue &+ (originator ? 1 : 10)
    }

    /// True when the symbol is already recorded.
    @inline(__always)
    func contains(code: UInt8) -> Bool {
        high & (UInt64(1) << (Self.seenShift &+ UInt64(code &- 1))) != 0
    }

    /// Records a letter unless that direction already has it.
    @inline(__always)
    mutating func add(_ letter: Letter, originator: Bool) {
        add(code: Self.code(letter, originator: originator))
    }

    /// Records a symbol by code unless already present.
    @inline(__always)
    mutating func add(code: UInt8) {
        let bit = UInt64(1) << (Self.seenShift &+ UInt64(code &- 1))
        guard high & bit == 0 else { return }
        let n = count
        if n < 12 {
            low |= UInt64(code) << UInt64(5 * n)
        } else {
            high |= UInt64(code) << UInt64(5 * (n - 12))
        }
        high |= bit
    }

    /// True when the three-way handshake was seen in order: originator SYN, responder SYN-ACK, originator ACK.
    @inline(__always)
    var hasCompletedHandshake: Bool {
        contains(code: Self.code(.syn, originator: true)) && contains(code: Self.code(.synAck, originator: false))
            && contains(code: Self.code(.ack, originator: true))
    }

    /// Number of entries.
    var count: Int { ((high >> Self.seenShift) & Self.seenMask).nonzeroBitCount }

    /// True once the responder's SYN-ACK acknowledged the originator's SYN (its ack number is the originator's
    /// initial sequence number plus one): the responder saw that SYN.
    var synAckAcknowledgedSYN: Bool {
        @inline(__always) get { high & Self.synAckBit != 0 }
        @inline(__always) set { high = newValue ? high | Self.synAckBit : high & ~Self.synAckBit }
    }

    /// True once the three-way handshake was proven: originator SYN, a responder SYN-ACK acknowledging it, then an
    /// originator segment acknowledging the SYN-ACK (ack = responder ISN + 1). A blind spoofer of the originator
    /// cannot know the responder's initial sequence number, so it cannot set this.
    var handshakeVerified: Bool {
        @inline(__always) get { high & Self.handshakeBit != 0 }
        @inline(__always) set { high = newValue ? high | Self.handshakeBit : high & ~Self.handshakeBit }
    }

    /// True when the direction was flipped (`^`): the originator's first packet seen was a SYN-ACK it received.
    var isFlipped: Bool { contains(code: Self.flippedCode) }

    /// The code of entry `i` (`0 ..< count`).
    func code(at i: Int) -> UInt8 {
        let word = i < 12 ? low >> UInt64(5 * i) : high >> UInt64(5 * (i - 12))
        return UInt8(truncatingIfNeeded: word & 0x1F)
    }

    /// ASCII character of a code.
    static func character(of code: UInt8) -> UInt8 {
        if code == flippedCode { return UInt8(ascii: "^") }
        let isOriginator = code <= 9
        let index = Int(isOriginator ? code &- 1 : code &- 10)
        let letter = withUnsafeBytes(of: upper) { $0[index] }
        return isOriginator ? letter : letter | 0x20
    }

    /// The history as Zeek prints it, e.g. `ShADadFf`. Strings of up to 15 letters are stored inline by Swift.
    var string: String {
        let n = count
        return String(unsafeUninitializedCapacity: n) { buffer in
            for i in 0..<n { buffer[i] = Self.character(of: code(at: i)) }
            return n
        }
    }

    /// Zeek's test for RSTOS0, the pattern `^?S[^HAFGIQ]*R.*`: the originator's SYN first (after an optional `^`),
    /// then the originator's RST before any originator H, A, F, I or Q.
    var isSynThenOriginatorReset: Bool {
        let n = count
        var i = 0
        if i < n, code(at: i) == Self.flippedCode { i += 1 }
        guard i < n, code(at: i) == Self.code(.syn, originator: true) else { return false }
        i += 1
        while i < n {
            let c = code(at: i)
            switch c {
            case Self.code(.rst, originator: true): return true
            case Self.code(.synAck, originator: true), Self.code(.ack, originator: true),
                 Self.code(.fin, originator: true), Self.code(.inconsistent, originator: true),
                 Self.code(.multiFlag, originator: true):
                return false
            default: i += 1
            }
        }
        return false
    }
}
