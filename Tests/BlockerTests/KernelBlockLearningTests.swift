@testable import Blocker
import Foundation
import NetCore
import Testing

/// Start-up learns the kernel's existing blocks beside inspection, on its own socket, instead of dumping the
/// sets before the queue is bound (issue 13 §4).
@Suite("Existing blocks learned off the start path", .serialized, .timeLimit(.minutes(3)))
struct KernelBlockLearningTests {
    @Test func existingBlocksAreLearnedOnTheirOwnThreadAndAdopted() async throws {
        let topology = try Topology(tag: "kbl1")
        defer { topology.destroy() }
        let directory = NSTemporaryDirectory() + "slipsd-kbl-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let count = 20_000
        let result = try await inNamespace(topology.a) { () throws -> (lines: [String], startPath: Double,
                                                                       newBlock: Bool, full: Bool, partial: Bool,
                                                                       inFile: Int, learnedAll: Bool,
                                                                       liftedDropped: Bool, liftedInFile: Bool) in
            let blocker = try NftablesBlocker(configuration: .init(tableName: "slipsd_kbl1"))
            _ = try blocker.setUp()
            // A previous run's blocks: 20,000 full ones and one new-connections one, made before any state file.
            var entries = (0..<count).map { n in
                BlockEntry(address: IPAddress(ipv4: 0xC633_0000 | UInt32(n)), timeout: .seconds(600),
                           reason: "VERTICAL_PORT_SCAN", alertID: "old-\(n)")
            }
            entries.append(BlockEntry(address: IPAddress("203.0.113.9")!, timeout: .seconds(600), reason: "SCAN",
                                      alertID: "old-p", scope: .newConnections))
            _ = try blocker.block(entries)

            // The restarted daemon's start path: stage and state file, no listing.
            let started = MonotonicClock.now()
            let journal = BlockJournal(path: directory + "/blocks.json", trustedOwners: [0])
            let stage = ResponseStage(blocker: blocker, drops: DropSet(), grace: UnblockGrace(seconds: 0),
                                      policy: BlockingPolicy(fixedSeconds: 60), journal: journal)
            var lines = journal.restoreWithoutListing(into: stage).lines
            let learning = try KernelBlockLearning(blocker: blocker, journal: journal, grace: stage.grace)
            let startPath = MonotonicClock.now() - started
            // An operator unblocks an old host while the listing runs. Its element is left in the kernel here, so
            // the listing surely holds it (an unblock that came after the dump had read it): what the learning
            // applies must still leave it out.
            let lifted = IPAddress(ipv4: 0xC633_0000 | 4242)
            stage.grace.start(lifted)
            // Blocking goes on while the listing runs (it does not hold the blocker's lock).
            stage.execute(BlockRequest(address: IPAddress("192.0.2.200")!, alertID: "new", reason: "test",
                                       alertTime: WallClock.now(), windowEnd: nil,
                                       windowWidthMicroseconds: 60_000_000, verified: true))
            let newBlock = stage.drops.contains(IPAddress("192.0.2.200")!, now: WallClock.now())
            lines += learning.waitAndApply(to: stage)
            stage.journal?.flush()
            let now = WallClock.now()
            let fileEntries = try journal.load().entries.count
            let learnedAll = stage.drops.active(now: now).count >= count - 1
            let liftedInFile = try journal.load().entries.contains { $0.address == lifted }
            return (lines, startPath, newBlock,
                    stage.drops.contains(IPAddress(ipv4: 0xC633_0000 | 17), now: now),
                    stage.drops.contains(IPAddress("203.0.113.9")!, now: now), fileEntries, learnedAll,
                    stage.drops.contains(lifted, now: now), liftedInFile)
        }
        print("start path \(result.startPath) s; \(result.lines.joined(separator: " | "))")
        // 20,001 old elements but the unblocked one, and the new block when the dump saw it.
        #expect(result.lines.contains { $0.contains("learned \(count) existing block(s) from the kernel")
                    || $0.contains("learned \(count + 1) existing block(s) from the kernel") }, "\(result.lines)")
        #expect(result.newBlock, "a block while the listing ran")
        #expect(result.learnedAll && result.full, "the kernel's full blocks are in the in-process drop set")
        #expect(!result.partial, "a new-connections block must not become an in-process full drop")
        #expect(result.inFile == count + 1, "kernel blocks the file lacked but the unblocked one, plus the new block, are in the state file")
        #expect(!result.liftedDropped, "a host unblocked while the listing ran must not be dropped from its listing")
        #expect(!result.liftedInFile, "nor written back to the state file")
        #expect(result.lines.contains { $0.contains("1 unblocked meanwhile left out") }, "\(result.lines)")
        #expect(result.startPath < 0.5, "the start path took \(result.startPath) s")
    }

    /// The learning's listing is paced (the kernel's dump is quadratic in the set's size and runs on the listing
    /// thread): it sleeps `pause` times the CPU time each batch took, and lists the same elements as a flat-out
    /// listing, each once — all of them, right after the bulk insert while the kernel's hash table still resizes
    /// (one pass alone missed 415 of 30,000 in one run of three).
    @Test func theListingIsPacedAndListsTheSameElements() async throws {
        let topology = try Topology(tag: "kbl2")
        defer { topology.destroy() }
        let result = try await inNamespace(topology.a) { () throws -> (paced: PacedBlockListing.Result,
                                                                       flat: PacedBlockListing.Result) in
            let blocker = try NftablesBlocker(configuration: .init(tableName: "slipsd_kbl2"))
            _ = try blocker.setUp()
            let entries = (0..<30_000).map { n in
                BlockEntry(address: IPAddress(ipv4: 0xC634_0000 | UInt32(n)), timeout: .seconds(600),
                           reason: "SCAN", alertID: "a-\(n)", scope: n % 10 == 0 ? .newConnections : .full)
            }
            _ = try blocker.block(entries)
            return (try PacedBlockListing.list(blocker, pause: 3), try PacedBlockListing.list(blocker, pause: 0))
        }
        print("paced: \(result.paced.cpuSeconds) s CPU, slept \(result.paced.sleptSeconds) s, \(result.paced.passes) passes; "
              + "flat: \(result.flat.cpuSeconds) s CPU, \(result.flat.passes) passes")
        #expect(result.paced.elements.count == 30_000)
        #expect(result.flat.elements.count == 30_000)
        #expect(result.paced.passes >= 2 && !result.paced.interrupted && !result.flat.interrupted)
        #expect(result.paced.elements.map(\.key) == result.flat.elements.map(\.key))
        #expect(result.flat.sleptSeconds == 0)
        // After every batch of 512 it has slept three times the CPU time used so far; only what follows the last
        // check (at most 511 elements) is not matched, so it sleeps at least 2.5 times its CPU time.
        #expect(result.paced.sleptSeconds >= 2.5 * result.paced.cpuSeconds - 0.05,
                "slept \(result.paced.sleptSeconds) s for \(result.paced.cpuSeconds) s of CPU")
    }
}
