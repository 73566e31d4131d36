import NetCore
import Records
import Capture
import Testing

/// A sweep does bounded work (`FlowTableConfiguration.sweepBudget`): entering emergency mode with most of the
/// table due does not expire it all in one call (nor more than it takes to leave emergency mode), and outside
/// emergency mode the records are the ones an unbounded sweep gives.
@Suite struct FlowTableSweepBudgetTests {
    /// `count` UDP flows, one packet each, 1 ms apart from time 0, from distinct (host, port) pairs.
    private func fill(_ table: FlowTable, count: Int) {
        for i in 0..<count {
            table.process(FlowTestPacket.udp(flowTime(Double(i) / 1000), "10.0.\(i / 250).\(i % 250 + 1)",
                                             UInt16(1024 + i % 50_000), "10.9.0.1", 53))
        }
    }

    @Test func enteringEmergencyExpiresAtMostABudgetPerPacket() throws {
        var configuration = FlowTableConfiguration(maxFlows: 10_000)
        configuration.emergencyTimeoutFactor = 0.1                  // UDP: 60 s → 6 s
        configuration.sweepBudget = 100
        let (table, sink) = makeFlowTable(configuration)
        fill(table, count: 10_000)                                  // last packets at 0 … 10 s: table full
        #expect(table.statistics.liveFlows == 10_000 && sink.records.isEmpty)

        // At 20 s a new flow finds the table full: emergency mode, and every flow is due under the 6 s timeout.
        let fresh = try #require(table.process(FlowTestPacket.udp(flowTime(20), "10.99.0.1", 7, "10.9.0.1", 53)))
        #expect(fresh.isNewFlow)
        #expect(table.statistics.emergencyEntries == 1)
        #expect(sink.finals.count >= 1 && sink.finals.count <= 101)     // one budget, and one flow to make room
        #expect(table.statistics.flowsEvicted == 0)

        // The following packets take up the rest, at most a budget each, until occupancy is under the exit ratio
        // (90 %): emergency mode ends there, and the flows left are not due under the normal 60 s timeout. The
        // table is not emptied in one call, nor at all.
        var packets = 0
        var before = sink.finals.count
        var largestStep = 0
        while table.statistics.isInEmergency && packets < 1_000 {
            packets += 1
            table.process(FlowTestPacket.udp(flowTime(20 + Double(packets) / 1_000_000), "10.99.0.1", 7, "10.9.0.1", 53))
            largestStep = max(largestStep, sink.finals.count - before)
            before = sink.finals.count
        }
        #expect(largestStep <= 100)
        #expect(packets >= 9 && packets < 1_000)                   // > 1,000 flows to go, at most 100 a packet
        #expect(!table.statistics.isInEmergency)
        let live = table.statistics.liveFlows
        #expect(live < 9_000 && live > 8_800)
        #expect(sink.finals.allSatisfy { $0.reason == .expired })
        #expect(table.statistics.flowsEvicted == 0)
        // Normal timeouts again: the rest expire at 60 s after their last packet, in budget-sized sweeps.
        for step in 0..<200 { table.advance(to: flowTime(71 + Double(step) / 1000)) }
        #expect(table.statistics.liveFlows == 1)
        #expect(sink.finals.count == 10_000 && sink.finals.allSatisfy { $0.reason == .expired })
    }

    @Test func aPacketForAFlowDueInTheBacklogEndsItFirst() throws {
        var configuration = FlowTableConfiguration(maxFlows: 16)
        configuration.sweepBudget = 1
        let (table, sink) = makeFlowTable(configuration)
        for (i, port) in [1001, 1002, 1003].enumerated() {
            table.process(FlowTestPacket.udp(flowTime(Double(i)), "10.0.0.1", UInt16(port), "10.0.0.2", 53))
        }
        // At 100 s all three are past the 60 s UDP timeout; the sweep may end only one, yet the packet of port
        // 1003 must start a new flow, as with an unbounded sweep.
        let update = try #require(table.process(FlowTestPacket.udp(flowTime(100), "10.0.0.1", 1003, "10.0.0.2", 53)))
        #expect(update.isNewFlow)
        let ended = sink.finals.filter { $0.originatorPort == 1003 }
        #expect(ended.count == 1 && ended.first?.originatorPackets == 1 && ended.first?.reason == .expired)
        table.advance(to: flowTime(100.5))
        #expect(sink.finals.count == 3 && sink.finals.allSatisfy { $0.reason == .expired })
        #expect(table.statistics.liveFlows == 1)
    }

    /// The same packets through a table with a small budget and one without a bound give the same records
    /// (expiries, attempt reports), as long as each backlog is worked off before its flows reach their next
    /// deadline (here: ~100 flows due after each idle gap, ~97 packets between gaps). Outside emergency mode.
    @Test(arguments: [3, 16])
    func recordsMatchAnUnboundedSweep(budget: Int) {
        var small = FlowTableConfiguration(maxFlows: 4096, interimReportInterval: .seconds(1_000_000))
        small.sweepBudget = budget
        let (bounded, boundedSink) = makeFlowTable(small)
        var large = small
        large.sweepBudget = 1_000_000
        let (unbounded, unboundedSink) = makeFlowTable(large)
        var state: UInt64 = 0x1234_5678
        var seconds = 0.0
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = Int(truncatingIfNeeded: state >> 33)
            // Bursts of traffic over ~100 flows with idle gaps long enough for mass expiry now and then.
            seconds += r % 97 == 0 ? Double(r % 130) : 0.001
            let port = UInt16(2000 + r % 100)
            let packet: DecodedPacket
            if r % 3 == 0 {
                let flags: FlowTCPFlags = r % 5 == 0 ? .syn : (r % 7 == 0 ? .fin : .ack)
                packet = FlowTestPacket.tcp(flowTime(seconds), "10.0.1.\(r % 4 + 1)", port, "10.0.2.1", 80,
                                            flags: flags, seq: UInt32(truncatingIfNeeded: r))
            } else {
                packet = FlowTestPacket.udp(flowTime(seconds), "10.0.1.\(r % 4 + 1)", port, "10.0.2.1", 53)
            }
            bounded.process(packet)
            unbounded.process(packet)
        }
        bounded.flushAll()
        unbounded.flushAll()
        // Idle gaps expire many flows at once (so the small budget leaves backlogs); attempts get reported.
        #expect(unboundedSink.finals.filter { $0.reason == .expired }.count > 1_000)
        #expect(unboundedSink.interims.count > 100)
        #expect(Set(boundedSink.records) == Set(unboundedSink.records))
        #expect(boundedSink.records.count == unboundedSink.records.count)
    }
}
