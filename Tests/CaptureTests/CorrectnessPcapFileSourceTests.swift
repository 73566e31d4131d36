import NetCore
import Records
import Capture
import TestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Records the time of every packet a source hands over.
private final class TimeRecorder: PacketHandler {
    var times: [PacketTime] = []
    func handlePacket(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                      linkType: LinkType) -> PacketVerdict {
        times.append(time)
        return .accept
    }
    func idle(now: PacketTime) {}
}

/// `PcapFileSource` at its edges: timestamps no clock produces are sanitised where they enter, and a FIFO
/// without a writer can be given up on.
@Suite("PcapFileSource: correctness", .serialized)
struct CorrectnessPcapFileSourceTests {
    private func write(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "slipsd-pcapsrc-\(UUID().uuidString).cap"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func frame() -> [UInt8] { SyntheticTraffic.tcpConnection()[0].bytes }

    @Test func pcapngTicksBeyondTheRangeAreClampedNotWrapped() throws {
        let frame = frame()
        var bytes = PcapFileWriter(format: .pcapng).bytes
        let padded = (frame.count + 3) / 4 * 4
        let ticks: [UInt64] = [.max, UInt64(Int64.max) + 1, 1_700_000_000_123_456, 0]
        for tick in ticks {
            bytes.appendLE32(6)
            bytes.appendLE32(UInt32(32 + padded))
            bytes.appendLE32(0)
            bytes.appendLE32(UInt32(truncatingIfNeeded: tick >> 32))
            bytes.appendLE32(UInt32(truncatingIfNeeded: tick))
            bytes.appendLE32(UInt32(frame.count))
            bytes.appendLE32(UInt32(frame.count))
            bytes.append(contentsOf: frame)
            bytes.append(contentsOf: [UInt8](repeating: 0, count: padded - frame.count))
            bytes.appendLE32(UInt32(32 + padded))
        }
        let path = try write(bytes)
        defer { unlink(path) }
        let recorder = TimeRecorder()
        let summary = try PcapFileSource(path: path).run(handler: recorder)
        #expect(summary.packets == ticks.count)
        #expect(recorder.times.allSatisfy { $0 >= .zero && $0 <= .latest }, "\(recorder.times)")
        #expect(recorder.times[2] == PacketTime(microseconds: 1_700_000_000_123_456))
        #expect(recorder.times[3] == .zero)
    }

    /// Classic pcap stores unsigned 32-bit seconds and fractions; libpcap hands them over signed.
    @Test(arguments: [PcapFileWriter.Format.microseconds, .nanoseconds])
    func classicTimestampsAreReadAsUnsignedAndFractionsCarry(format: PcapFileWriter.Format) throws {
        let frame = frame()
        var bytes = PcapFileWriter(format: format).bytes
        let perMicro: UInt32 = format == .nanoseconds ? 1_000 : 1
        let stamps: [(UInt32, UInt32)] = [(UInt32.max, UInt32.max), (100, 1_500_000 * perMicro),
                                          (100, 999_999 * perMicro), (UInt32.max - 1, 1_000_000 * perMicro - 1),
                                          (50, 3_000_000_000)]
        for (seconds, fraction) in stamps {
            bytes.appendLE32(seconds)
            bytes.appendLE32(fraction)
            bytes.appendLE32(UInt32(frame.count))
            bytes.appendLE32(UInt32(frame.count))
            bytes.append(contentsOf: frame)
        }
        let path = try write(bytes)
        defer { unlink(path) }
        let recorder = TimeRecorder()
        _ = try PcapFileSource(path: path).run(handler: recorder)
        #expect(recorder.times.count == stamps.count)
        #expect(recorder.times.allSatisfy { $0 >= .zero && $0 <= .latest })
        // 2106-02-07: seconds past Int32.max are not negative; a fraction field of 2³¹ or more is dropped.
        #expect(recorder.times[0].microseconds / 1_000_000 == Int64(UInt32.max))
        #expect(recorder.times[1] == PacketTime(seconds: 101, microseconds: 500_000))
        #expect(recorder.times[2] == PacketTime(seconds: 100, microseconds: 999_999))
        #expect(recorder.times[3] == PacketTime(seconds: Int64(UInt32.max - 1), microseconds: 999_999))
        #expect(recorder.times[4].microseconds / 1_000_000 == 50)
    }

    @Test(.timeLimit(.minutes(1)))
    func aFIFOWithoutWriterIsGivenUpWhenAskedToStop() throws {
        let path = NSTemporaryDirectory() + "slipsd-pcapsrc-\(UUID().uuidString).fifo"
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let started = MonotonicClock.now()
        var polls = 0
        #expect(throws: CaptureError.self) {
            _ = try PcapFileSource(path: path, shouldStop: { polls += 1; return polls > 3 })
        }
        #expect(MonotonicClock.now() - started < 2)
        #expect(polls > 3)
    }
}
