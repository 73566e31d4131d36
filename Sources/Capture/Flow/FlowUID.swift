/// A flow's unique id, printed Zeek-style (`C` followed by base-62 digits). A 64-bit value: no allocation until
/// it is printed.
public struct FlowUID: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// The raw id: a per-run random seed mixed with a counter.
    public var value: UInt64

    /// Wraps a raw id.
    public init(_ value: UInt64) { self.value = value }

    /// `C` plus up to 11 base-62 digits.
    public var description: String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        var digits: [UInt8] = [UInt8(ascii: "C")]
        var v = value
        repeat {
            digits.append(alphabet[Int(v % 62)])
            v /= 62
        } while v > 0
        return String(decoding: digits, as: UTF8.self)
    }
}
