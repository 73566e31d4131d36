@testable import Capture
import NetCore
import Records
import Testing
import TestSupport

/// A flood of QUIC Initials cannot burn the CPU: each from a fresh (forged) source, so no per-flow bound applies,
/// they are decrypted at most `QUICAnalyzer.decryptionsPerSecond` a second of packet time; the rest are skipped
/// and counted, and decryption resumes once the flood's second has passed.
@Suite struct QUICDecryptionLimitTests {
    @Test("the token bucket allows one second's burst, then refills with packet time")
    func bucket() {
        var limiter = QUICDecryptionLimiter(perSecond: 10)
        let start = PacketTime(microseconds: 1_700_000_000_000_000)
        func at(_ offset: Int64) -> PacketTime { PacketTime(microseconds: start.microseconds + offset) }
        var granted = 0
        for _ in 0..<15 where limiter.take(at: start) { granted += 1 }
        #expect(granted == 10)
        let tooSoon = limiter.take(at: at(50_000))                 // 0.05 s: less than one token
        let oneToken = limiter.take(at: at(100_000))               // 0.1 s: one token
        let spent = limiter.take(at: at(150_000))
        #expect(!tooSoon && oneToken && !spent)
        granted = 0
        for _ in 0..<15 where limiter.take(at: at(5_000_000)) { granted += 1 }
        #expect(granted == 10)                                     // a full bucket, not 50
        // Time going back (merged captures): no trap, no free tokens; the refill restarts from there.
        let back = limiter.take(at: start)
        let refilled = limiter.take(at: at(100_000))
        #expect(!back && refilled)
    }

    @Test("a flood of client Initials from distinct sources in one second: decryptions bounded, skips counted")
    func flood() throws {
        let limit = QUICAnalyzer.decryptionsPerSecond
        let count = limit + 1_000
        let start: Int64 = 1_700_000_000_000_000
        var packets: [TimedPacket] = []
        for index in 0..<count {
            let frame = PacketBuilder.udp(src: "10.\(60 + index / 60_000).\(index / 250 % 240).\(index % 250 + 1)",
                                          sport: 50_000, dst: "10.9.0.2", dport: 443,
                                          payload: QUICRFC9001Vectors.clientInitial)
            packets.append(TimedPacket(time: PacketTime(microseconds: start + Int64(index)), bytes: frame,
                                       wireLength: frame.count, linkType: .ethernet))
        }
        // One more, after the flood's second: decrypted again.
        let after = PacketBuilder.udp(src: "10.99.0.1", sport: 50_000, dst: "10.9.0.2", dport: 443,
                                      payload: QUICRFC9001Vectors.clientInitial)
        packets.append(TimedPacket(time: PacketTime(microseconds: start + 3_000_000), bytes: after,
                                   wireLength: after.count, linkType: .ethernet))
        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let pipeline = try PacketPipeline(flowConfiguration: FlowTableConfiguration(maxFlows: 16_384), handoff: handoff,
                                          flushEagerly: false)
        for packet in packets {
            _ = packet.bytes.withUnsafeBytes {
                pipeline.handlePacket($0, wireLength: packet.wireLength, time: packet.time, linkType: packet.linkType)
            }
        }
        pipeline.finish()
        handoff.finish()
        let run = (statistics: pipeline.analyzerStatistics, ())
        // The flood lasted about 5 ms: the burst plus what 5 ms refill (about 21), and the one after it.
        let allowed = UInt64(limit + limit / 100)
        #expect(run.statistics.quicInitials <= allowed + 1 && run.statistics.quicInitials >= UInt64(limit) + 1)
        #expect(run.statistics.quicInitials + run.statistics.quicInitialsSkipped == UInt64(count + 1))
        #expect(run.statistics.quicInitialsSkipped >= UInt64(count) - allowed)
        #expect(run.statistics.quicMalformations.total == 0)
    }
}
