/// Decode-error counters, one per `DecodeError` case, in a fixed inline block: counting allocates nothing.
///
/// Owned by one pipeline and confined to its capture thread.
public struct DecodeCounters: Sendable {
    private var counts: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                         UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                         UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                         UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    public init() {}

    /// Counts one packet that failed with `error`.
    @inline(__always)
    public mutating func count(_ error: DecodeError) {
        withUnsafeMutableBytes(of: &counts) { raw in
            let slot = raw.baseAddress!.assumingMemoryBound(to: UInt64.self) + error.rawValue
            slot.pointee &+= 1
        }
    }

    /// Packets that failed with `error`.
    public subscript(_ error: DecodeError) -> UInt64 {
        withUnsafeBytes(of: counts) { $0.load(fromByteOffset: error.rawValue * 8, as: UInt64.self) }
    }

    /// All failed packets.
    public var total: UInt64 { DecodeError.allCases.reduce(0) { $0 + self[$1] } }

    /// Non-zero counters with their labels, in declaration order.
    public var nonZero: [(label: String, count: UInt64)] {
        DecodeError.allCases.compactMap { e in self[e] > 0 ? (e.label, self[e]) : nil }
    }
}
