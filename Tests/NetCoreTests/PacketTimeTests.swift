import NetCore
import Testing

@Suite("PacketTime")
struct PacketTimeTests {
    @Test("arithmetic saturates instead of trapping")
    func saturates() {
        let late = PacketTime(microseconds: .max - 5)
        let early = PacketTime(microseconds: .min + 5)
        #expect(late.microseconds(since: early) == .max)
        #expect(early.microseconds(since: late) == .min)
        #expect((late + .seconds(10)).microseconds == .max)
        #expect(late.adding(microseconds: 100).microseconds == .max)
        #expect(PacketTime(seconds: .max, microseconds: 1).microseconds == .max)
        _ = late - early                                    // must not trap
    }

    @Test("capture timestamps are clamped where they enter", arguments: [
        (Int64(1_700_000_000), Int64(123_456), Int64(1_000_000), Int64(1_700_000_000_123_456)),
        (Int64(1_700_000_000), Int64(123_456_789), Int64(1_000_000_000), Int64(1_700_000_000_123_456)),
        (Int64(-1), Int64(0), Int64(1_000_000), Int64(0)),
        (Int64.max / 2, Int64(0), Int64(1_000_000_000), PacketTime.latest.microseconds),
        (Int64(10), Int64(2_500_000), Int64(1_000_000), Int64(12_500_000)),
    ])
    func sanitises(seconds: Int64, fraction: Int64, units: Int64, expected: Int64) {
        #expect(PacketTime(sanitizingSeconds: seconds, fraction: fraction, unitsPerSecond: units).microseconds == expected)
    }
}
