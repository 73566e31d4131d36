/// The CRYPTO stream of one side's Initial packets (RFC 9000 §19.6), gathered from frames that may arrive out
/// of order, overlap or repeat (Chrome scatters its ClientHello across frames and packets): bytes are placed at
/// their offset in a buffer bounded by `limit`, and the filled ranges are tracked (at most `maxPieces`).
struct QUICCryptoStream {
    /// Most separate filled ranges kept.
    static let maxPieces = 64

    private(set) var buffer: [UInt8] = []
    /// Filled ranges, sorted and merged.
    private var filled: [Range<Int>] = []

    /// Bytes available in order from offset 0.
    var contiguous: Int { filled.first.map { $0.lowerBound == 0 ? $0.upperBound : 0 } ?? 0 }

    /// Places `data` at `offset`; false (nothing placed) when it ends past `limit` or would make too many pieces.
    mutating func insert(_ data: UnsafeRawBufferPointer, at offset: UInt64, limit: Int) -> Bool {
        guard offset <= UInt64(limit), UInt64(data.count) <= UInt64(limit) - offset else { return false }
        guard !data.isEmpty else { return true }
        let start = Int(offset), end = start + data.count
        var merged = start..<end
        var kept: [Range<Int>] = []
        kept.reserveCapacity(filled.count + 1)
        for range in filled {
            if range.upperBound < merged.lowerBound || range.lowerBound > merged.upperBound {
                kept.append(range)
            } else {
                merged = min(range.lowerBound, merged.lowerBound)..<max(range.upperBound, merged.upperBound)
            }
        }
        guard kept.count < Self.maxPieces else { return false }
        if buffer.count < end { buffer.append(contentsOf: repeatElement(0, count: end - buffer.count)) }
        buffer.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[start..<end]).copyMemory(from: data) }
        kept.append(merged)
        kept.sort { $0.lowerBound < $1.lowerBound }
        filled = kept
        return true
    }
}
