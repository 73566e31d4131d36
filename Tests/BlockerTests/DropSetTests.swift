import NetCore
import Foundation
import Testing
@testable import Blocker

/// The in-process drop set: entries end at their deadline, a later deadline wins, removal, and the packet
/// thread's reader following every change.
@Suite("DropSet")
struct DropSetTests {
    static let host = IPAddress("192.0.2.1")!, other = IPAddress("2001:db8::1")!
    static let t0 = PacketTime(seconds: 1_000_000, microseconds: 0)

    @Test func entryEndsAtItsDeadline() {
        let drops = DropSet()
        let reader = DropSet.Reader(drops)
        drops.insert(Self.host, until: Self.t0 + .seconds(10))
        #expect(reader.isBlocked(Self.host, now: Self.t0))
        #expect(reader.isBlocked(Self.host, now: Self.t0 + .seconds(10) + .microseconds(-1)))
        #expect(!reader.isBlocked(Self.host, now: Self.t0 + .seconds(10)), "the deadline itself is past")
        #expect(drops.contains(Self.host, now: Self.t0 + .seconds(9)))
        #expect(!drops.contains(Self.host, now: Self.t0 + .seconds(11)))
        #expect(drops.active(now: Self.t0) == [Self.host: Self.t0 + .seconds(10)])
        #expect(drops.active(now: Self.t0 + .seconds(10)).isEmpty)
        // Pruned: an earlier `now` no longer brings it back.
        #expect(drops.active(now: Self.t0).isEmpty)
        #expect(!reader.isBlocked(Self.host, now: Self.t0))
    }

    @Test func laterDeadlineWins() {
        let drops = DropSet()
        drops.insert(Self.host, until: Self.t0 + .seconds(100))
        drops.insert(Self.host, until: Self.t0 + .seconds(10))        // shorter: ignored
        #expect(drops.active(now: Self.t0)[Self.host] == Self.t0 + .seconds(100))
        drops.insert(Self.host, until: Self.t0 + .seconds(200))       // longer: extends
        #expect(drops.active(now: Self.t0)[Self.host] == Self.t0 + .seconds(200))
    }

    @Test func removeAndReplace() {
        let drops = DropSet()
        let reader = DropSet.Reader(drops)
        drops.insert(Self.host, until: Self.t0 + .seconds(60))
        drops.insert(Self.other, until: Self.t0 + .seconds(60))
        #expect(reader.isBlocked(Self.other, now: Self.t0))
        drops.remove(Self.other)
        #expect(!reader.isBlocked(Self.other, now: Self.t0), "the reader saw the removal")
        #expect(reader.isBlocked(Self.host, now: Self.t0))
        drops.remove(Self.other)                                        // absent: no-op
        drops.replace(with: [Self.other: Self.t0 + .seconds(5)])
        #expect(!reader.isBlocked(Self.host, now: Self.t0))
        #expect(reader.isBlocked(Self.other, now: Self.t0))
        #expect(drops.active(now: Self.t0).count == 1)
    }

    @Test func familiesAreDistinct() {
        let drops = DropSet()
        drops.insert(IPAddress("192.0.2.1")!, until: Self.t0 + .seconds(60))
        #expect(!drops.contains(IPAddress("::ffff:192.0.2.1")!, now: Self.t0),
                "an IPv4-mapped IPv6 address is not the IPv4 host")
    }
}

/// The response stage's drop-set entries end with their kernel elements, in a namespace's real nftables.
@Suite("DropSet agrees with the kernel", .serialized, .timeLimit(.minutes(2)))
struct DropSetKernelAgreementTests {
    @Test func inProcessDeadlineIsTheKernelElementsDeadline() async throws {
        let topology = try Topology(tag: "sdd1")
        defer { topology.destroy() }
        let host = IPAddress("192.0.2.9")!
        let result = try await inNamespace(topology.a) { () throws -> (Double, Double, Bool, Bool, Int, Double) in
            let blocker = try NftablesBlocker(configuration: .init(tableName: "slipsd_sdd1"))
            _ = try blocker.setUp()
            let stage = ResponseStage(blocker: blocker, drops: DropSet(), grace: UnblockGrace(seconds: 0),
                                      policy: BlockingPolicy(fixedSeconds: 2))
            let now = WallClock.now()
            stage.execute(BlockRequest(address: host, alertID: "a1", reason: "test", alertTime: now, windowEnd: nil,
                                       windowWidthMicroseconds: 60_000_000, verified: true))
            let deadline = stage.drops.active(now: WallClock.now())[host]
            let remaining = try blocker.list().first { $0.address == host }?.remaining
            let inProcess = deadline.map { Double($0.microseconds(since: now)) / 1e6 } ?? -1
            let kernel = remaining.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? -1
            // A restarted daemon adopts the kernel's element with the same deadline.
            let adopting = ResponseStage(blocker: blocker, drops: DropSet(), grace: UnblockGrace(seconds: 0),
                                         policy: BlockingPolicy())
            try adopting.adoptKernelBlocks()
            let adopted = adopting.drops.active(now: WallClock.now())[host]
            let adoptedSeconds = adopted.map { Double($0.microseconds(since: now)) / 1e6 } ?? -1
            MonotonicClock.sleep(milliseconds: 2_300)
            let reader = DropSet.Reader(stage.drops)
            let stillDropped = reader.isBlocked(host, now: WallClock.now())
            let adoptedStillDropped = adopting.drops.contains(host, now: WallClock.now())
            let kernelLeft = try blocker.list().filter { $0.address == host }.count
            return (inProcess, kernel, stillDropped, adoptedStillDropped, kernelLeft, adoptedSeconds)
        }
        print("deadline in process \(result.0) s, kernel remaining \(result.1) s, adopted \(result.5) s")
        #expect(abs(result.0 - 2) < 0.2, "in-process deadline \(result.0) s for a 2 s block")
        #expect(result.1 > 1 && result.1 <= 2, "kernel remaining \(result.1) s")
        #expect(abs(result.5 - result.1) < 0.5, "adopted deadline \(result.5) s vs kernel \(result.1) s")
        #expect(result.4 == 0, "the kernel element should have expired")
        #expect(!result.2, "still dropped in process after the kernel element expired")
        #expect(!result.3, "adopted entry outlived the kernel element")
    }
}
