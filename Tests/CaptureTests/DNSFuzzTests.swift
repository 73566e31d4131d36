import Capture
import NetCore
import Testing
import TestSupport

/// Random and mutated DNS messages, deterministic seed, bounded count: the parser and the pipeline never trap.
@Suite("DNS parser under random input")
struct DNSFuzzTests {
    /// Seeded SplitMix64, so a run replays exactly.
    typealias SplitMix = SplitMix64

    static let seeds: [[UInt8]] = [
        DNSWire.query(id: 1, name: "www.example.org", type: 1),
        DNSWire.response(id: 2, name: "example.org", type: 15, answers: [
            DNSWire.answer(type: 15, ttl: 60, rdata: DNSWire.be16(1) + [4] + Array("mail".utf8) + [0xC0, 12]),
            DNSWire.answer(type: 5, ttl: 60, rdata: [3] + Array("www".utf8) + [0xC0, 12]),
            DNSWire.answer(type: 16, ttl: 60, rdata: [5] + Array("hello".utf8)),
        ]),
    ]

    @Test("50 000 mutated and random messages: each parses or is counted as one malformation")
    func mutations() {
        var random = SplitMix(state: 0x5EED_D145)
        var parsed = 0, malformed = DNSMalformationCounters()
        for round in 0..<50_000 {
            var bytes: [UInt8]
            if round % 5 == 0 {
                bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes = Self.seeds[round % Self.seeds.count]
                for _ in 0..<Int.random(in: 1...6, using: &random) {
                    let position = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[position] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes[position] = 0xC0 | UInt8.random(in: 0...0x3F, using: &random)  // a pointer
                    default: bytes = Array(bytes.prefix(position))
                    }
                    if bytes.isEmpty { break }
                }
            }
            switch DNSParserTests.result(bytes) {
            case .success: parsed += 1
            case .failure(let error): malformed.count(error)
            }
        }
        #expect(parsed + Int(malformed.total) == 50_000)
        #expect(parsed > 0 && malformed.total > 0)
        #expect(malformed.nonZero.count >= 4)                  // several kinds met, each counted under its own
    }

    @Test("2 000 mutated datagrams and TCP segments through the pipeline: no trap, malformations counted")
    func throughPipeline() throws {
        var random = SplitMix(state: 0xD15_EA5E)
        var frames: [[UInt8]] = []
        for index in 0..<2_000 {
            var bytes = Self.seeds[index % Self.seeds.count]
            let position = Int.random(in: 0..<bytes.count, using: &random)
            bytes[position] = UInt8.random(in: 0...255, using: &random)
            let port = UInt16(20_000 + index % 200)
            if index % 2 == 0 {
                frames.append(PacketBuilder.udp(src: "10.9.0.2", sport: port, dst: "10.9.0.53", dport: 53, payload: bytes))
            } else {
                frames.append(PacketBuilder.tcp(src: "10.9.0.2", sport: port, dst: "10.9.0.53", dport: 53,
                                                flags: [.psh, .ack], seq: UInt32.random(in: 0...UInt32.max, using: &random),
                                                payload: DNSWire.framed(bytes)))
            }
        }
        let run = try DNSPipelineRun(frames)
        #expect(run.statistics.claims > 0)
        #expect(run.statistics.dnsMessages + run.statistics.dnsMalformations.total > 0)
        #expect(run.statistics.budgetUsed == 0)                 // every flow ended at finish: all state freed
    }
}
