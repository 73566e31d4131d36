import Testing
@testable import Detect

/// Evidence and alert ids: version-4 UUID strings, unique over a million.
@Suite("Output evidence ids")
struct OutputEvidenceIDTests {
    /// The two 64-bit halves of a UUID string, or nil when it is not `8-4-4-4-12` lower-case hex.
    static func halves(_ id: String) -> (UInt64, UInt64)? {
        let hex = Array(id.utf8)
        guard hex.count == 36 else { return nil }
        var words: [UInt64] = [0, 0]
        var nibbles = 0
        for (index, byte) in hex.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == 0x2D else { return nil }
                continue
            }
            let value: UInt8
            switch byte {
            case 0x30...0x39: value = byte - 0x30
            case 0x61...0x66: value = byte - 0x57
            default: return nil
            }
            words[nibbles / 16] = words[nibbles / 16] << 4 | UInt64(value)
            nibbles += 1
        }
        return (words[0], words[1])
    }

    struct Pair: Hashable { var high: UInt64; var low: UInt64 }

    @Test("1 M ids: all distinct, all of the UUID v4 shape (version 4, variant 10xx)")
    func millionUniqueV4() throws {
        var seen = Set<Pair>(minimumCapacity: 1_000_000)
        for _ in 0..<1_000_000 {
            let id = EvidenceID.make()
            let (high, low) = try #require(Self.halves(id), "not a lower-case UUID: \(id)")
            #expect((high >> 12) & 0xF == 4, "version: \(id)")
            #expect(low >> 62 == 0b10, "variant: \(id)")
            seen.insert(Pair(high: high, low: low))
        }
        #expect(seen.count == 1_000_000)
    }

    @Test("Ids spread over their random bits (each of the 122 bits is set in 40–60 % of 20 000 ids)")
    func bitsAreSpread() throws {
        var counts = [Int](repeating: 0, count: 128)
        let samples = 20_000
        for _ in 0..<samples {
            let (high, low) = try #require(Self.halves(EvidenceID.make()))
            for bit in 0..<64 {
                counts[bit] += Int((high >> UInt64(63 - bit)) & 1)
                counts[64 + bit] += Int((low >> UInt64(63 - bit)) & 1)
            }
        }
        let fixed: Set = [48, 49, 50, 51, 64, 65]
        for bit in 0..<128 where !fixed.contains(bit) {
            #expect((samples * 4 / 10...samples * 6 / 10).contains(counts[bit]), "bit \(bit): \(counts[bit])")
        }
    }

    @Test("Ids from several threads at once are distinct")
    func concurrentIdsDistinct() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<50_000).map { _ in EvidenceID.make() } } }
            var all: [String] = []
            for await part in group { all += part }
            return all
        }
        #expect(Set(ids).count == 200_000)
    }
}
