import NetCore
import Records
@testable import Detect
import Testing
import TestSupport

/// The engine's shared first-sighting map answers every consumer as its own `FlowFirstSighting` would, and the
/// uid writer of alerts.json prints what `FlowUID.description` prints.
@Suite("Shared flow sightings")
struct FlowSightingsTests {
    typealias Kit = DetectorsTestKit

    /// Seeded SplitMix64, so a run replays exactly.
    typealias Generator = SplitMix64

    /// Interleaved interim and final records of a few dozen flows; each of `consumers` asks about a record only
    /// when its own filter (which depends on the record, as detectors' filters on state or service do) lets it
    /// through. Shared answers, bracketed by the engine or not, must equal those of private trackers.
    private func compare(bracketed: Bool, consumers: Int, seed: UInt64) -> (agreed: Int, asked: Int) {
        var random = Generator(state: seed)
        let shared = FlowSightings(capacity: 1024)
        var handles = (0..<consumers).map { _ in shared.consumer() }
        var own = (0..<consumers).map { _ in FlowFirstSighting(capacity: 1024) }
        var live: [UInt64] = []
        var nextUID: UInt64 = 1
        var asked = 0, agreed = 0
        for _ in 0..<4000 {
            let record: ConnRecord
            if live.isEmpty || random.next() % 3 == 0 {
                live.append(nextUID)
                nextUID += 1
            }
            let index = Int(random.next() % UInt64(live.count))
            let uid = live[index]
            let final = random.next() % 4 == 0
            if final { live.remove(at: index) }
            record = Kit.flow(uid: uid, src: Kit.ip("10.0.0.1"), dst: Kit.ip("10.0.0.2"), dport: 80,
                              origPackets: random.next() % 5, reason: final ? .expired : .interim)
            let filters = random.next()
            if bracketed { shared.begin(record) }
            for consumer in 0..<consumers where filters >> UInt64(consumer) & 1 == 1 {
                asked += 1
                if handles[consumer].isFirst(record) == own[consumer].isFirst(record) { agreed += 1 }
            }
            if bracketed { shared.end() }
        }
        return (agreed, asked)
    }

    @Test(arguments: [false, true])
    func everyConsumerGetsTheAnswersOfItsOwnTracker(bracketed: Bool) {
        for seed: UInt64 in [1, 2, 3] {
            let result = compare(bracketed: bracketed, consumers: 9, seed: seed)
            #expect(result.asked > 10_000)
            #expect(result.agreed == result.asked)
        }
    }

    @Test func aFinalRecordForgetsTheFlowAndAFlowWithoutInterimCostsNoEntry() {
        let shared = FlowSightings(capacity: 16)
        var first = shared.consumer(), second = shared.consumer()
        var flow = Kit.flow(uid: 7, src: Kit.ip("10.0.0.1"), dst: Kit.ip("10.0.0.2"), dport: 80, reason: .interim)
        shared.begin(flow)
        let interimFirst = first.isFirst(flow)       // `second` does not ask about the interim record
        shared.end()
        #expect(interimFirst)
        #expect(shared.count == 1)
        flow.reason = .expired
        shared.begin(flow)
        let finalFirst = (first.isFirst(flow), second.isFirst(flow))
        shared.end()
        #expect(!finalFirst.0)
        #expect(finalFirst.1)                        // `second`'s first record of the flow
        #expect(shared.count == 0)
        let single = Kit.flow(uid: 8, src: Kit.ip("10.0.0.1"), dst: Kit.ip("10.0.0.2"), dport: 80)
        shared.begin(single)
        let singleFirst = (first.isFirst(single), second.isFirst(single))
        shared.end()
        #expect(singleFirst.0 && singleFirst.1)
        #expect(shared.count == 0)
    }

    @Test func consumersBeyondSixtyFourKeepTheirOwnMap() {
        let shared = FlowSightings(capacity: 16)
        var handles = (0..<70).map { _ in shared.consumer() }
        let flow = Kit.flow(uid: 9, src: Kit.ip("10.0.0.1"), dst: Kit.ip("10.0.0.2"), dport: 80, reason: .interim)
        let firstAnswers = handles.indices.map { handles[$0].isFirst(flow) }
        let secondAnswers = handles.indices.map { handles[$0].isFirst(flow) }
        #expect(firstAnswers == Array(repeating: true, count: 70))
        #expect(secondAnswers == Array(repeating: false, count: 70))
        #expect(shared.count == 1)
    }

    @Test func uidsAreWrittenAsTheirDescription() {
        var random = Generator(state: 42)
        var uids = [0, 1, 61, 62, 3843, UInt64.max].map(FlowUID.init)
        for _ in 0..<200 { uids.append(FlowUID(random.next())) }
        uids.append(FlowUID(text: "CYFpHn3Ip4R1y3OYpb")!)
        for uid in uids {
            var json = JSONBuffer(capacity: 64)
            json.uid(uid)
            #expect(String(decoding: json.bytes, as: UTF8.self) == "\"\(uid.description)\"")
        }
    }
}
