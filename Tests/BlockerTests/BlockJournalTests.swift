import Foundation
import NetCore
import Testing
@testable import Blocker

/// The state file on its own (no kernel): round trip, expiry, unblock, atomic replacement with mode 0600, the
/// owner and mode checks, corrupt and untrusted files put aside, and concurrent writers.
@Suite("BlockJournal", .serialized)
struct BlockJournalTests {
    /// A fresh directory (mode 0700, root's) under /tmp for one test; removed by `cleanUp`.
    final class Scratch {
        let dir: String
        init(_ name: String) throws {
            dir = NSTemporaryDirectory() + "ps-journal-\(name)-\(getpid())"
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        var file: String { dir + "/blocks.json" }
        func cleanUp() { try? FileManager.default.removeItem(atPath: dir) }
        func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }
        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? -1 }
        func owner(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.ownerAccountID] as? Int) ?? -1 }
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func entry(_ ip: String, expiresIn seconds: Double, origin: BlockJournalEntry.Origin = .alert,
                      scope: BlockScope = .full) -> BlockJournalEntry {
        BlockJournalEntry(address: IPAddress(ip)!, scope: scope, origin: origin, reason: "VERTICAL_PORT_SCAN",
                          alertID: "alert-\(ip)", blockedAt: now, expiresAt: now.addingTimeInterval(seconds))
    }

    @Test("a recorded block reads back with every field; the file is JSON, mode 0600, no temporary file left")
    func roundTrip() throws {
        let scratch = try Scratch("rt")
        defer { scratch.cleanUp() }
        let journal = BlockJournal(path: scratch.file)
        try journal.record(Self.entry("203.0.113.7", expiresIn: 3600), now: Self.now)
        try journal.record(Self.entry("2001:db8::7", expiresIn: 60, origin: .operator, scope: .newConnections), now: Self.now)
        let loaded = try journal.load(now: Self.now)
        #expect(loaded.entries == [Self.entry("203.0.113.7", expiresIn: 3600),
                                   Self.entry("2001:db8::7", expiresIn: 60, origin: .operator, scope: .newConnections)])
        #expect(loaded.expired == 0 && loaded.notes.isEmpty)
        #expect(scratch.mode(scratch.file) == 0o600)
        #expect(scratch.names() == ["blocks.json"], "a temporary file was left: \(scratch.names())")
        let text = try String(contentsOfFile: scratch.file, encoding: .utf8)
        for field in ["\"ip\" : \"203.0.113.7\"", "\"expires_at\" : \"2027-01-15T09:00:00Z\"", "\"scope\" : \"new_connections\"",
                      "\"origin\" : \"operator\"", "\"reason\" : \"VERTICAL_PORT_SCAN\"", "\"version\" : 1"] {
            #expect(text.contains(field), "\(field) missing in \(text)")
        }
    }

    @Test("re-blocking replaces the entry, an unblock removes it, an expired entry is dropped at the next read")
    func replaceRemoveExpire() throws {
        let scratch = try Scratch("rre")
        defer { scratch.cleanUp() }
        let journal = BlockJournal(path: scratch.file)
        try journal.record(Self.entry("198.51.100.1", expiresIn: 100), now: Self.now)
        try journal.record(Self.entry("198.51.100.1", expiresIn: 900), now: Self.now)
        try journal.record(Self.entry("198.51.100.2", expiresIn: 10), now: Self.now)
        try journal.record(Self.entry("198.51.100.3", expiresIn: 500), now: Self.now)
        #expect(try journal.load(now: Self.now).entries.map(\.expiresAt)
                == [100 + 800, 10, 500].map { Self.now.addingTimeInterval(Double($0)) })
        try journal.remove(IPAddress("198.51.100.3")!, now: Self.now)
        let later = try journal.load(now: Self.now.addingTimeInterval(20))
        #expect(later.entries.map(\.address.description) == ["198.51.100.1"])
        #expect(later.expired == 1)
        // The next write drops the expired entry from the file itself.
        try journal.remove(IPAddress("192.0.2.99")!, now: Self.now.addingTimeInterval(20))
        #expect(try journal.load(now: Self.now).entries.map(\.address.description) == ["198.51.100.1"])
    }

    @Test("a file writable by others is refused, kept aside as .untrusted, and the journal starts empty")
    func worldWritableRefused() throws {
        let scratch = try Scratch("ww")
        defer { scratch.cleanUp() }
        let journal = BlockJournal(path: scratch.file)
        try journal.record(Self.entry("203.0.113.9", expiresIn: 3600), now: Self.now)
        chmod(scratch.file, 0o666)
        let loaded = try journal.load(now: Self.now)
        #expect(loaded.entries.isEmpty)
        #expect(loaded.notes.count == 1)
        #expect(loaded.notes.first?.contains("refusing to read it: \(scratch.file) is writable by everyone (mode 666)") == true,
                "\(loaded.notes)")
        #expect(loaded.notes.first?.contains("kept as \(scratch.file).untrusted") == true, "\(loaded.notes)")
        #expect(scratch.names() == ["blocks.json.untrusted"])
    }

    @Test("a file of an untrusted owner, a symbolic link and a group-writable directory are refused")
    func ownersLinksAndDirectories() throws {
        let scratch = try Scratch("own")
        defer { scratch.cleanUp() }
        let journal = BlockJournal(path: scratch.file, trustedOwners: [0])
        try journal.record(Self.entry("203.0.113.10", expiresIn: 3600), now: Self.now)
        chown(scratch.file, 12_345, 12_345)
        let foreign = try journal.load(now: Self.now)
        #expect(foreign.entries.isEmpty)
        #expect(foreign.notes.first?.contains("is owned by uid 12345, not by root or slipsd's user") == true, "\(foreign.notes)")

        // A symbolic link is never followed, even to a good file.
        try journal.record(Self.entry("203.0.113.11", expiresIn: 3600), now: Self.now)
        try FileManager.default.moveItem(atPath: scratch.file, toPath: scratch.dir + "/real.json")
        try FileManager.default.createSymbolicLink(atPath: scratch.file, withDestinationPath: scratch.dir + "/real.json")
        let linked = try journal.load(now: Self.now)
        #expect(linked.entries.isEmpty)
        #expect(linked.notes.first?.contains("is a symbolic link") == true, "\(linked.notes)")

        chmod(scratch.dir, 0o770)
        #expect { try journal.load(now: Self.now) } throws: { error in
            "\(error)".contains("using the state directory \(scratch.dir): \(scratch.dir) is writable by its group")
        }
        chmod(scratch.dir, 0o700)
    }

    @Test("an undecodable file or another format version is kept aside as .corrupt, byte for byte")
    func corruptKeptAside() throws {
        let scratch = try Scratch("cor")
        defer { scratch.cleanUp() }
        let journal = BlockJournal(path: scratch.file)
        let garbage = "{\"version\": 1, \"blocks\": [{\"ip\": \"not-an-ip\"}"
        try garbage.write(toFile: scratch.file, atomically: false, encoding: .utf8)
        chmod(scratch.file, 0o600)
        let loaded = try journal.load(now: Self.now)
        #expect(loaded.entries.isEmpty)
        #expect(loaded.notes.first?.contains("cannot decode it") == true, "\(loaded.notes)")
        #expect(try String(contentsOfFile: scratch.file + ".corrupt", encoding: .utf8) == garbage)

        try "{\"version\": 2, \"blocks\": []}".write(toFile: scratch.file, atomically: false, encoding: .utf8)
        chmod(scratch.file, 0o600)
        let newer = try journal.load(now: Self.now)
        #expect(newer.notes.first?.contains("format version 2, this slipsd reads 1") == true, "\(newer.notes)")
        // The first .corrupt file is not overwritten: the second gets a time suffix.
        #expect(scratch.names().filter { $0.hasPrefix("blocks.json.corrupt") }.count == 2, "\(scratch.names())")
    }

    @Test("root writing into the daemon user's directory gives the file to that user (it can read it after the drop)")
    func rootWritesForTheDirectoryOwner() throws {
        let scratch = try Scratch("chown")
        defer { scratch.cleanUp() }
        guard geteuid() == 0 else { Issue.record("needs root to create a file for another user"); return }
        chown(scratch.dir, 65_534, 65_534)
        let journal = BlockJournal(path: scratch.file, trustedOwners: [0, 65_534])
        try journal.record(Self.entry("203.0.113.12", expiresIn: 3600), now: Self.now)
        #expect(scratch.owner(scratch.file) == 65_534)
        #expect(try journal.load(now: Self.now).entries.count == 1)
    }

    @Test("a missing directory is created 0700 for the daemon's user by prepareDirectory, and only then")
    func preparesDirectory() throws {
        let scratch = try Scratch("prep")
        defer { scratch.cleanUp() }
        let journal = BlockJournal(path: scratch.dir + "/state/blocks.json")
        #expect(throws: BlockerError.self) { try journal.load(now: Self.now) }
        #expect(try journal.prepareDirectory(owner: (uid: 65_534, gid: 65_534)))
        #expect(scratch.mode(scratch.dir + "/state") == 0o700)
        #expect(scratch.owner(scratch.dir + "/state") == 65_534)
        #expect(try !journal.prepareDirectory(owner: nil))
    }

    @Test("writers in parallel (the daemon and an operator) never lose each other's entries")
    func concurrentWriters() throws {
        let scratch = try Scratch("par")
        defer { scratch.cleanUp() }
        let path = scratch.file
        let failures = DispatchQueue(label: "failures")
        nonisolated(unsafe) var errors: [String] = []
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            let journal = BlockJournal(path: path)     // one journal per writer, as in separate processes
            for index in 0..<15 {
                do {
                    try journal.record(Self.entry("10.9.\(writer).\(index)", expiresIn: 3600), now: Self.now)
                } catch {
                    failures.sync { errors.append("\(error)") }
                }
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        #expect(try BlockJournal(path: path).load(now: Self.now).entries.count == 60)
    }

    @Test("the writer batches a burst of changes into few writes, and its end drains the queue")
    func writerBatches() throws {
        let scratch = try Scratch("wr")
        defer { scratch.cleanUp() }
        let journal = BlockJournal(path: scratch.file)
        let now = Date()
        func entry(_ index: Int) -> BlockJournalEntry {
            BlockJournalEntry(address: IPAddress(ipv4: 0x0A0A_0000 + UInt32(index)), scope: .full, origin: .alert,
                              reason: "VERTICAL_PORT_SCAN", alertID: "a\(index)", blockedAt: now,
                              expiresAt: now.addingTimeInterval(3600))
        }
        let writer = BlockJournalWriter(journal: journal)
        let started = ContinuousClock.now
        for index in 0..<2_000 { writer.record(entry(index)) }
        let queued = ContinuousClock.now - started
        writer.remove(IPAddress(ipv4: 0x0A0A_0000))
        writer.flush()
        let loaded = try journal.load()
        #expect(loaded.entries.count == 1_999)
        #expect(!loaded.entries.contains { $0.address == IPAddress(ipv4: 0x0A0A_0000) })
        #expect(writer.writes < 200, "\(writer.writes) writes for 2,001 changes")
        print("BlockJournalWriter: 2,000 blocks queued in \(queued), written in \(writer.writes) file writes")

        do {
            let last = BlockJournalWriter(journal: journal)
            last.record(entry(5_000))
        }                                                      // deinit: drained, not dropped
        #expect(try journal.load().entries.contains { $0.alertID == "a5000" })
    }

    @Test("the kernel entry of a journal entry carries the remaining time; an ended one has none")
    func kernelEntry() {
        let entry = Self.entry("203.0.113.13", expiresIn: 300, scope: .newConnections)
        let element = entry.kernelEntry(at: Self.now.addingTimeInterval(100))
        #expect(element?.timeout == .seconds(200))
        #expect(element?.scope == .newConnections && element?.alertID == "alert-203.0.113.13")
        #expect(entry.kernelEntry(at: Self.now.addingTimeInterval(300)) == nil)
    }
}

/// Bulk changes to the state file (`--block-from`, `--unblock-from`): one write, last change wins, and never a
/// file larger than the next start may read.
@Suite("State file bulk updates")
struct BlockJournalBulkTests {
    private func journal() throws -> (BlockJournal, String) {
        let directory = NSTemporaryDirectory() + "slipsd-jb-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return (BlockJournal(path: directory + "/blocks.json", trustedOwners: [0, getuid()]), directory)
    }

    private func entry(_ n: UInt32, reason: String = "bulk") -> BlockJournalEntry {
        BlockJournalEntry(address: IPAddress(ipv4: 0xC000_0200 | n), scope: .full, origin: .operator, reason: reason,
                          alertID: "manual", blockedAt: Date(), expiresAt: Date().addingTimeInterval(3600))
    }

    @Test func recordAndRemoveInBulk() throws {
        let (journal, directory) = try journal()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try journal.update(recording: (0..<200).map { entry($0) })
        try journal.update(recording: [entry(5, reason: "again")], removing: [IPAddress(ipv4: 0xC000_0200 | 7)])
        let entries = try journal.load().entries
        #expect(entries.count == 199)
        #expect(entries.first { $0.address == IPAddress(ipv4: 0xC000_0200 | 5) }?.reason == "again")
        #expect(!entries.contains { $0.address == IPAddress(ipv4: 0xC000_0200 | 7) })
    }

    @Test func neverWritesAFileTooLargeToReadBack() throws {
        let (journal, directory) = try journal()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try journal.update(recording: [entry(1)])
        let huge = (0..<150_000).map { n in
            BlockJournalEntry(address: IPAddress(ipv4: 0x0A00_0000 | UInt32(n)), scope: .full, origin: .operator,
                              reason: "bulk", alertID: "manual", blockedAt: Date(), expiresAt: Date().addingTimeInterval(3600))
        }
        #expect(throws: BlockerError.self) { try journal.update(recording: huge) }
        #expect(try journal.load().entries.count == 1, "the file is left as it was and still reads")
    }
}
