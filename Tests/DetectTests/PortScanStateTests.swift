import NetCore
import Records
@testable import Detect
import Testing

/// The bounded-state helpers the scan and flow detectors share.
@Suite("PortScan state helpers")
struct PortScanStateTests {
    typealias Kit = DetectorsTestKit

    @Test func reportLevelsStartAtTheMinimumAndIgnoreLowerLevels() {
        let levels = ReportLevels(minimum: 6, further: [1000, 10, 5, 100, 10])
        #expect(levels.levels == [6, 10, 100, 1000])
        #expect(levels.top == 1000)
        var next = 0
        let reported = (1...1500).filter { levels.reached($0, next: &next) }
        #expect(reported == [6, 10, 100, 1000])
        #expect(levels.isDone(next: next))
    }

    @Test func aJumpOverSeveralLevelsReportsOnce() {
        let levels = ReportLevels(minimum: 6, further: [10, 100])
        var next = 0
        #expect(levels.reached(150, next: &next))
        #expect(levels.isDone(next: next))
        #expect(!levels.reached(151, next: &next))
    }

    @Test func boundedUIDMapForgetsTheOldestBeyondItsCapacity() {
        var map = BoundedUIDMap<Int>(capacity: 3)
        for i in 1...3 { map.set(i, for: FlowUID(UInt64(i))) }
        map.set(30, for: FlowUID(3))                         // an update keeps its place
        map.set(4, for: FlowUID(4))                          // evicts uid 1, the oldest
        #expect(map.count == 3)
        #expect(map[FlowUID(1)] == nil)
        #expect(map[FlowUID(3)] == 30)
        for i in 100..<10_000 { map.set(i, for: FlowUID(UInt64(i))) }
        #expect(map.count == 3)
        #expect(map[FlowUID(9_999)] == 9_999)
        #expect(map[FlowUID(9_996)] == nil)
    }

    @Test func aStaleSlotDoesNotEvictAUidInsertedAgain() {
        var map = BoundedUIDMap<Int>(capacity: 3)
        for i in 1...3 { map.set(i, for: FlowUID(UInt64(i))) }    // slots: 1, 2, 3
        #expect(map.removeValue(for: FlowUID(2)) == 2)             // slot 2 is now stale
        map.set(20, for: FlowUID(2))                               // takes uid 1's slot (the oldest)
        #expect(map[FlowUID(1)] == nil)
        map.set(4, for: FlowUID(4))                                // reuses the stale slot of the old uid 2
        #expect(map[FlowUID(2)] == 20)
        #expect(map[FlowUID(3)] == 3)
        #expect(map.count == 3)
    }

    @Test func firstSightingAndDeltasFollowInterimThenFinal() {
        var sighting = FlowFirstSighting(capacity: 8)
        var deltas = FlowCounterDeltas(capacity: 8)
        var flow = Kit.flow(uid: 1, src: Kit.ip("10.0.0.1"), dst: Kit.ip("10.0.0.2"), dport: 80, origPackets: 2,
                            reason: .interim)
        #expect((sighting.isFirst(flow) as Bool))
        #expect(deltas.update(flow, value: 2) == (2, true))
        #expect(!(sighting.isFirst(flow) as Bool))
        #expect(deltas.update(flow, value: 5) == (3, false))
        flow.reason = .expired
        #expect(!(sighting.isFirst(flow) as Bool))
        #expect(deltas.update(flow, value: 6) == (1, false))
        #expect(deltas.count == 0)                               // forgotten at the final record
        // A flow published only once.
        let single = Kit.flow(uid: 2, src: Kit.ip("10.0.0.1"), dst: Kit.ip("10.0.0.2"), dport: 80)
        #expect((sighting.isFirst(single) as Bool))
        #expect(deltas.update(single, value: 4) == (4, true))
    }

    struct Counter: WindowState {
        var n = 0
        var budgetUnits = 0
    }

    @Test func profileWindowTableKeepsTwoWindowsAndHonoursClosing() {
        let budget = StateBudget(limit: 100)
        var table = ProfileWindowTable<Counter>(budget: budget)
        let profile = ProfileID(ip: Kit.ip("10.0.0.1"))
        _ = table.withState(profile, Kit.window(1)) { $0.n += 1 }
        _ = table.withState(profile, Kit.window(2)) { $0.n += 1 }
        let previousKept = table.withState(profile, Kit.window(1)) { state -> Int in
            state.n += 1
            return state.n
        }
        #expect(previousKept == 2)
        _ = table.withState(profile, Kit.window(3)) { $0.n += 1 }
        let tooOld = table.withState(profile, Kit.window(1)) { $0.n }
        #expect(tooOld == nil)
        #expect(table.stateCount == 2)
        table.close(profile: profile, window: Kit.window(2))
        #expect(table.stateCount == 1)
        let closed = table.withState(profile, Kit.window(2)) { $0.n }
        #expect(closed == nil)
        let current = table.withState(profile, Kit.window(3)) { $0.n }
        #expect(current == 1)
        #expect(table.ignoredLateRecords == 2)
        #expect(budget.used == 1)
        _ = table.withState(profile, Kit.window(9)) { $0.n += 1 }                         // jump: drops 3
        #expect(table.stateCount == 1)
        #expect(budget.used == 1)
    }

    @Test func profileWindowTableRefusesNewStatesWhenTheBudgetIsSpent() {
        let budget = StateBudget(limit: 3)
        var table = ProfileWindowTable<Counter>(budget: budget)
        for i in 0..<5 {
            _ = table.withState(ProfileID(ip: Kit.ip("10.0.0.0", plus: i)), Kit.window(1)) { $0.n += 1 }
        }
        #expect(table.stateCount == 3)
        #expect(budget.refused == 2)
        table.sweep(now: Kit.at(3600 + 10), grace: .seconds(5))
        #expect(table.stateCount == 0)
        #expect(table.profileCount == 0)
        #expect(budget.used == 0)
    }

    @Test func decimalText() {
        #expect(DecimalText.format(1) == "1")
        #expect(DecimalText.format(0.6) == "0.6")
        #expect(DecimalText.format(0.25) == "0.25")
        #expect(DecimalText.format(1500.5, digits: 0) == "1501")
        #expect(DecimalText.format(-0.5) == "-0.5")
        #expect(DecimalText.mebibytes(500 * 1_048_576) == "500")
        #expect(DecimalText.mebibytes(1_572_864) == "1.5")
    }

    @Test func everyDetectorIsListedWithItsChannels() throws {
        let names = DetectorList.all.map { $0.name }
        for name in ["network_discovery", "icmp_scan", "arp", "ssh_brute_force", "flowalerts"] {
            #expect(names.contains(name), "\(name)")
        }
        #expect(Set(names).count == names.count)
        #expect(try Kit.make(PortScanDetector.self).1.context?.subscriptions == [.newFlow, .twClosed])
        #expect(try Kit.make(ICMPScanDetector.self).1.context?.subscriptions == [.newFlow, .twClosed])
        #expect(try Kit.make(ARPScanDetector.self).1.context?.subscriptions == [.newARP])
        #expect(try Kit.make(SSHPasswordGuessingDetector.self).1.context?.subscriptions == [.newSSH, .twClosed])
    }
}
