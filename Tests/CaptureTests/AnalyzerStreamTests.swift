@testable import Capture
import Testing

/// The analyzers' bounded in-order reassembly (`StreamPrefix`) and their shared budget (`AnalyzerBudget`).
@Suite("Analyzer stream reassembly and budget")
struct AnalyzerStreamTests {
    /// A consumer of 4-byte messages that records what it was given.
    final class Messages {
        var seen: [[UInt8]] = []
        func consume(_ bytes: UnsafeRawBufferPointer) -> Int {
            var used = 0
            while bytes.count - used >= 4 {
                seen.append(Array(bytes[used..<(used + 4)]))
                used += 4
            }
            return used
        }
    }

    func feed(_ stream: inout StreamPrefix, seq: UInt32, _ bytes: [UInt8], budget: AnalyzerBudget,
              into messages: Messages, limit: Int = 64) -> StreamPrefix.Outcome {
        bytes.withUnsafeBytes { raw in
            stream.receive(seq: seq, raw, limit: limit, budget: budget) { messages.consume($0) }
        }
    }

    @Test("whole messages are consumed in place; only a spanning tail is held and charged")
    func inPlaceAndSpanning() {
        let budget = AnalyzerBudget(limit: 1_000)
        let messages = Messages()
        var stream = StreamPrefix()
        stream.start(synSeq: 99)
        #expect(feed(&stream, seq: 100, [1, 1, 1, 1, 2, 2], budget: budget, into: messages) == .delivered)
        #expect(messages.seen == [[1, 1, 1, 1]])
        #expect(stream.heldCount == 2 && budget.used == 2)
        #expect(feed(&stream, seq: 106, [2, 2, 3, 3, 3, 3], budget: budget, into: messages) == .delivered)
        #expect(messages.seen == [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]])
        #expect(stream.heldCount == 0 && budget.used == 0)
    }

    @Test("retransmissions are dropped, overlaps trimmed, segments ahead held until the gap fills")
    func orderAndRepeats() {
        let budget = AnalyzerBudget(limit: 1_000)
        let messages = Messages()
        var stream = StreamPrefix()
        stream.start(synSeq: 0)
        #expect(feed(&stream, seq: 5, [2, 2, 2, 2], budget: budget, into: messages) == .heldOutOfOrder)
        #expect(messages.seen.isEmpty && budget.used == 4)
        #expect(feed(&stream, seq: 1, [1, 1, 1, 1], budget: budget, into: messages) == .delivered)
        #expect(messages.seen == [[1, 1, 1, 1], [2, 2, 2, 2]] && budget.used == 0)
        #expect(feed(&stream, seq: 1, [1, 1, 1, 1], budget: budget, into: messages) == .retransmission)
        #expect(feed(&stream, seq: 7, [2, 2, 3, 3, 3, 3], budget: budget, into: messages) == .delivered)  // overlap
        #expect(messages.seen == [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]])
    }

    @Test("a gap that does not fill within the bounds, or a message above the limit, stops the direction")
    func limits() {
        let budget = AnalyzerBudget(limit: 1_000)
        let messages = Messages()
        var stream = StreamPrefix()
        stream.start(synSeq: 0)
        for index in 0..<StreamPrefix.maxOutOfOrder {
            #expect(feed(&stream, seq: 10 + UInt32(index) * 4, [9, 9, 9, 9], budget: budget, into: messages)
                    == .heldOutOfOrder)
        }
        #expect(feed(&stream, seq: 40, [9, 9, 9, 9], budget: budget, into: messages) == .stopped(.gap))
        #expect(stream.isStopped && budget.used == 0)

        var small = StreamPrefix()
        small.start(synSeq: 0)
        #expect(feed(&small, seq: 1, [UInt8](repeating: 7, count: 11), budget: budget, into: messages, limit: 2)
                == .stopped(.oversized))
        #expect(budget.used == 0)
    }

    @Test("the budget refuses what does not fit, counts it, reports once per episode")
    func budget() {
        let budget = AnalyzerBudget(limit: 10)
        var reports = 0
        budget.onReached = { _ in reports += 1 }
        #expect(budget.reserve(8))
        #expect(!budget.reserve(3) && !budget.reserve(5))
        #expect(budget.refusals == 2 && reports == 1)
        budget.release(8)
        #expect(budget.used == 0 && budget.reserve(10) && budget.peak == 10)
        #expect(!budget.reserve(1) && reports == 2)
    }
}
