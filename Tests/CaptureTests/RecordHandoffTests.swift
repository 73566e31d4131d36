import Capture
import Glibc
import NetCore
import Records
import Testing
import TestSupport

/// The hand-off between capture threads and the detection thread: nothing lost under back-pressure, no polling
/// while idle, and one lock per capture batch inline rather than one per event.
@Suite("Record hand-off")
struct RecordHandoffTests {
    /// Voluntary context switches of the calling thread so far (each sleep/wake in the kernel is one).
    private static func contextSwitches() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)      // RUSAGE_THREAD (1): not exported by Glibc's Swift module
        return usage.ru_nvcsw
    }

    @Test("an idle detection thread sleeps until its timeout instead of polling")
    func idleTakeSleeps() {
        let handoff = RecordHandoff(producers: 1, producersMayWait: false)
        var batch: [RecordEvent] = []
        let before = Self.contextSwitches()
        let started = MonotonicClock.now()
        #expect(handoff.take(into: &batch, timeoutMicroseconds: 300_000))
        let elapsed = MonotonicClock.now() - started
        let switches = Self.contextSwitches() - before
        #expect(batch.isEmpty)
        #expect(elapsed >= 0.29, "returned after \(elapsed) s, before its timeout")
        // A polling loop with 50 µs…1 ms steps wakes ≥ 300 times in 300 ms; a condition wait wakes about once.
        #expect(switches <= 5, "\(switches) wake-ups in 300 ms")
    }

    @Test("a push wakes a sleeping detection thread at once")
    func pushWakesConsumer() throws {
        let handoff = RecordHandoff(producers: 1, producersMayWait: false)
        let producer = try OSThread.spawn(name: "handoff-push") {
            MonotonicClock.sleep(microseconds: 50_000)
            var batch: [RecordEvent] = [.tick(PacketTime(microseconds: 7))]
            handoff.push(&batch)
        }
        var batch: [RecordEvent] = []
        let started = MonotonicClock.now()
        #expect(handoff.take(into: &batch, timeoutMicroseconds: 10_000_000))
        let elapsed = MonotonicClock.now() - started
        producer.join()
        #expect(batch.count == 1)
        #expect(elapsed < 5, "took \(elapsed) s for a batch pushed after 50 ms")
    }

    @Test("offline producers held back by a full queue lose nothing and keep their order")
    func backPressureLosesNothing() throws {
        let handoff = RecordHandoff(producers: 2, capacity: 64, producersMayWait: true)
        let perProducer = 50_000
        var threads: [OSThread] = []
        for producerID in 0..<2 {
            threads.append(try OSThread.spawn(name: "handoff-\(producerID)") {
                var batch: [RecordEvent] = []
                for n in 0..<perProducer {
                    batch.append(.tick(PacketTime(microseconds: Int64(producerID * 1_000_000 + n))))
                    if batch.count == 37 { handoff.push(&batch) }
                }
                handoff.push(&batch)
                handoff.finish()
            })
        }
        var seen = [[Int64]](repeating: [], count: 2)
        var batch: [RecordEvent] = []
        while handoff.take(into: &batch) {
            for case .tick(let time) in batch {
                seen[Int(time.microseconds / 1_000_000)].append(time.microseconds % 1_000_000)
            }
            batch.removeAll(keepingCapacity: true)
        }
        for thread in threads { thread.join() }
        #expect(handoff.droppedEvents == 0)
        for producerID in 0..<2 {
            #expect(seen[producerID].count == perProducer)
            #expect(seen[producerID] == (0..<Int64(perProducer)).map { $0 })
        }
    }

    @Test("inline, a capture batch of a thousand records is handed over with one lock, not one per record")
    func liveBatchIsOnePush() throws {
        let handoff = RecordHandoff(producers: 1, producersMayWait: false)
        let pipeline = try PacketPipeline(flowConfiguration: FlowTableConfiguration(maxFlows: 4_096), handoff: handoff,
                                          flushEagerly: true)
        let time = PacketTime(microseconds: 1_700_000_000_000_000)
        func send(_ frame: [UInt8]) {
            _ = frame.withUnsafeBytes { pipeline.handlePacket($0, wireLength: frame.count, time: time, linkType: .ethernet) }
        }
        // The first packet starts packet time (a tick, handed over at once); then a batch of 1000 ARP requests,
        // each an ARP record.
        send(PacketBuilder.arpRequest(senderIP: "10.0.0.1", targetIP: "10.0.0.254"))
        pipeline.batchEnded()
        var batch: [RecordEvent] = []
        #expect(handoff.take(into: &batch, timeoutMicroseconds: 0))
        batch.removeAll()
        let before = handoff.batchCounts.pushed
        for host in 0..<1_000 {
            send(PacketBuilder.arpRequest(senderIP: "10.0.0.1", targetIP: "10.0.\(1 + host / 250).\(host % 250)"))
        }
        #expect(handoff.batchCounts.pushed == before, "records went over before the batch ended")
        pipeline.batchEnded()
        #expect(handoff.batchCounts.pushed == before + 1)
        #expect(handoff.take(into: &batch, timeoutMicroseconds: 0))
        let arps = batch.filter { if case .record(.arp) = $0 { true } else { false } }
        #expect(arps.count == 1_000)
    }
}
