import Foundation
import NetCore
import Synchronization
import Testing
@testable import Blocker

/// `BlockJournal.restore` against a namespace's real nftables: what a start-up after a reboot puts back.
@Suite("BlockJournal restore", .serialized, .timeLimit(.minutes(2)))
struct BlockJournalRestoreTests {
    struct Outcome: Sendable {
        var first: BlockJournal.RestoreReport
        var second: BlockJournal.RestoreReport
        var kernel: [BlockedElement]
        var file: [BlockJournalEntry]
    }

    @Test("running blocks come back with their remaining time; expired, allowlisted and self-protected ones do not")
    func restoresOnlyWhatMayBeBlocked() async throws {
        let topology = try Topology(tag: "psr")
        defer { topology.destroy() }
        let dir = NSTemporaryDirectory() + "ps-restore-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/blocks.json"
        let now = Date()
        func entry(_ ip: String, _ seconds: Double, _ scope: BlockScope = .full) -> BlockJournalEntry {
            BlockJournalEntry(address: IPAddress(ip)!, scope: scope, origin: .alert, reason: "VERTICAL_PORT_SCAN",
                              alertID: "a-\(ip)", blockedAt: now.addingTimeInterval(-60), expiresAt: now.addingTimeInterval(seconds))
        }
        let journal = BlockJournal(path: path)
        for item in [entry("198.51.100.20", 300), entry("198.51.100.21", 120, .newConnections),
                     entry("198.51.100.22", -10), entry("10.200.1.1", 300), entry(Topology.aToB4, 300),
                     entry("2001:db8:77::20", 300), entry(Topology.aToB6, 300)] {
            try journal.record(item, now: now.addingTimeInterval(-100))   // written while the expired one still ran
        }

        let outcome = try await inNamespace(topology.a) { () throws -> Outcome in
            let blocker = try NftablesBlocker(configuration: .init(tableName: "slipsd_psr"),
                                              protection: SelfProtection(sources: .init(resolvConfPath: nil)))
            _ = try blocker.setUp()
            // A block the kernel has but the file lacks (made before the file existed).
            _ = try blocker.block([BlockEntry(address: IPAddress("198.51.100.30")!, timeout: .seconds(600),
                                              reason: "manual", alertID: "manual")])
            let stage = ResponseStage(blocker: blocker, drops: DropSet(), grace: UnblockGrace(seconds: 0),
                                      policy: BlockingPolicy(),
                                      allowlist: [.init(range: CIDR("10.200.0.0/16")!, reason: "is in allowlist 10.200.0.0/16")],
                                      journal: journal)
            let first = journal.restore(into: stage, now: now)
            let second = journal.restore(into: stage, now: now)        // a restart: the kernel still has them
            let kernel = try blocker.list()
            _ = try blocker.tearDown()
            return Outcome(first: first, second: second, kernel: kernel, file: try journal.load(now: now).entries)
        }
        let first = outcome.first
        #expect(Set(first.restored.map(\.description)) == ["198.51.100.20", "198.51.100.21", "2001:db8:77::20"],
                "\(first.lines)")
        #expect(first.expired == 1)
        #expect(Set(first.refused.map(\.description)) == ["10.200.1.1", Topology.aToB4, Topology.aToB6], "\(first.lines)")
        #expect(first.lines.contains("not restoring the block of 10.200.1.1 from the state file: it is in allowlist 10.200.0.0/16"),
                "\(first.lines)")
        #expect(first.lines.contains { $0.contains("not restoring the block of \(Topology.aToB4)") && $0.contains("is an address of interface") },
                "\(first.lines)")
        #expect(first.adopted.map(\.description) == ["198.51.100.30"])
        #expect(outcome.second.restored.isEmpty)
        #expect(outcome.second.alreadyInKernel.count == 4, "\(outcome.second.lines)")

        let kernel = Dictionary(uniqueKeysWithValues: outcome.kernel.map { ($0.address.description, $0) })
        #expect(Set(kernel.keys) == ["198.51.100.20", "198.51.100.21", "198.51.100.30", "2001:db8:77::20"])
        let full = try #require(kernel["198.51.100.20"])
        #expect(full.scope == .full && full.reason == "VERTICAL_PORT_SCAN" && full.alertID == "a-198.51.100.20")
        let timeout = try #require(full.timeout)
        #expect(timeout <= .seconds(300) && timeout > .seconds(290), "timeout \(timeout): the remaining time, not a new block")
        #expect(kernel["198.51.100.21"]?.scope == .newConnections)
        #expect(Set(outcome.file.map(\.address.description))
                == ["198.51.100.20", "198.51.100.21", "198.51.100.30", "2001:db8:77::20"])
        #expect(outcome.file.first { $0.address.description == "198.51.100.30" }?.origin == .operator)
    }
}
