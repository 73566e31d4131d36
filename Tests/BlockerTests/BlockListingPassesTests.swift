import NetCore
import Testing
@testable import Blocker

/// Merging repeated dumps: a listing settles once a pass adds nothing, keeps what an earlier walk saw and a later
/// one missed (with its remaining time aged), and drops such an element once its time has run out.
@Suite("Block listing passes")
struct BlockListingPassesTests {
    static func element(_ text: String, remaining seconds: Int64? = 600, scope: BlockScope = .full) -> BlockedElement {
        BlockedElement(address: IPAddress(text)!, timeout: .seconds(600), remaining: seconds.map { .seconds($0) },
                       reason: "SCAN", alertID: nil, scope: scope)
    }

    @Test func emptySetsSettleInOnePass() {
        var passes = BlockListingPasses()
        passes.beginPass(now: 0)
        let more1 = passes.endPass(interrupted: false)
        #expect(!more1)
        #expect(passes.settled && passes.passes == 1 && passes.elements(now: 0).isEmpty)
    }

    @Test func aSecondPassThatAddsNothingSettles() {
        var passes = BlockListingPasses()
        passes.beginPass(now: 0)
        passes.add(Self.element("192.0.2.1"))
        passes.add(Self.element("192.0.2.1"))                    // a repeat within the pass
        let more2 = passes.endPass(interrupted: false)
        #expect(more2, "one pass of a non-empty set is not trusted")
        passes.beginPass(now: 1)
        passes.add(Self.element("192.0.2.1"))
        let more3 = passes.endPass(interrupted: false)
        #expect(!more3)
        #expect(passes.settled && passes.elements(now: 1).map(\.address) == [IPAddress("192.0.2.1")!])
    }

    @Test func anElementAWalkMissedIsKeptWithItsTimeAged() {
        var passes = BlockListingPasses()
        passes.beginPass(now: 0)
        passes.add(Self.element("192.0.2.1"))
        passes.add(Self.element("192.0.2.2", remaining: 600))
        passes.add(Self.element("192.0.2.3", remaining: 5))
        let more4 = passes.endPass(interrupted: false)
        #expect(more4)
        passes.beginPass(now: 10)                                // this walk misses .2 and .3 but finds .4
        passes.add(Self.element("192.0.2.1"))
        passes.add(Self.element("192.0.2.4"))
        let more5 = passes.endPass(interrupted: false)
        #expect(more5, "a pass that found something new is not the last")
        passes.beginPass(now: 20)
        passes.add(Self.element("192.0.2.4"))
        passes.add(Self.element("192.0.2.1"))
        let more6 = passes.endPass(interrupted: false)
        #expect(!more6)
        let listed = passes.elements(now: 30)
        #expect(listed.map(\.address) == ["192.0.2.1", "192.0.2.2", "192.0.2.4"].map { IPAddress($0)! },
                "the element whose 5 s ran out is left out")
        #expect(listed[1].remaining == .seconds(570), "600 s seen at 0, listed at 30")
        #expect(listed[0].remaining == .seconds(600), "an element of the last pass keeps what it said")
    }

    @Test func anInterruptedOrChangingListingStopsAfterTheMostPasses() {
        var passes = BlockListingPasses()
        var more = true
        var n = 0
        while more {
            passes.beginPass(now: Double(n))
            passes.add(Self.element("198.51.100.\(n + 1)"))      // every pass finds a new block
            n += 1
            more = passes.endPass(interrupted: n == 1)
        }
        #expect(passes.passes == BlockListingPasses.maxPasses && !passes.settled)
        #expect(passes.elements(now: Double(n)).count == BlockListingPasses.maxPasses)
    }

    @Test func theSameAddressInTwoScopesIsTwoElements() {
        var passes = BlockListingPasses()
        passes.beginPass(now: 0)
        passes.add(Self.element("2001:db8::1", scope: .full))
        passes.add(Self.element("2001:db8::1", scope: .newConnections))
        _ = passes.endPass(interrupted: false)
        #expect(passes.elements(now: 0).map(\.scope) == [.full, .newConnections])
    }
}
