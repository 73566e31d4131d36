import Foundation
import NetCore

/// The blocks that must survive a reboot (`blocking.state_file`, by default `/var/lib/slipsd/blocks.json`): the
/// kernel's sets live in memory, so after a reboot slipsd puts back, from this file, every block whose expiry
/// has not passed.
///
/// Every change is one locked read-modify-write of the whole file (`flock` on its directory, so the daemon and
/// an operator's `slipsd --block` never lose each other's entries), written atomically with mode 0600 (see
/// `BlockJournalFile`). Entries whose expiry has passed are dropped at every read. The file is read only when it
/// is a regular file owned by one of `trustedOwners` (root and slipsd's user) and writable by nobody else; a
/// file that is untrusted or cannot be decoded is renamed aside (`.untrusted`, `.corrupt`) with a note and the
/// journal starts empty: nothing in it is lost, nothing in it is believed.
///
/// Immutable, `Sendable`: the detection thread (blocks), the control thread (unblocks) and other processes
/// may use the same file at once.
public final class BlockJournal: Sendable {
    /// The file.
    public let path: String
    /// Owners (uids) whose files and directory are believed.
    public let trustedOwners: Set<UInt32>
    private let directory: String
    private let name: String

    /// What a read found.
    public struct Loaded: Sendable, Equatable {
        /// The blocks still running, sorted by address.
        public var entries: [BlockJournalEntry]
        /// Entries dropped because their expiry had passed.
        public var expired: Int
        /// What was wrong with the file and where it was put aside (empty when it was fine or absent).
        public var notes: [String]
    }

    /// A journal on `path`.
    /// - Parameters:
    ///   - path: the state file; its directory must exist (see `prepareDirectory`).
    ///   - trustedOwners: uids whose file is believed (root and the daemon's user); the effective uid is added.
    public init(path: String, trustedOwners: Set<UInt32> = [0]) {
        self.path = path
        self.trustedOwners = trustedOwners.union([0, geteuid()])
        let slash = path.lastIndex(of: "/")
        directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    }

    /// Reads the blocks still running at `now`, putting aside a file that is untrusted or unreadable.
    /// - Throws: `BlockerError` when the directory cannot be used or a system call fails.
    public func load(now: Date = Date()) throws -> Loaded {
        try withLockedFile { file in try read(file, now: now) }
    }

    /// Adds or replaces (same address) the entry.
    /// - Returns: notes about a file put aside on the way.
    /// - Throws: `BlockerError` when the file cannot be written.
    @discardableResult
    public func record(_ entry: BlockJournalEntry, now: Date = Date()) throws -> [String] {
        try update(now: now) { entries in
            entries.removeAll { $0.address == entry.address }
            entries.append(entry)
        }
    }

    /// Removes the address's entry (an unblock).
    /// - Returns: notes about a file put aside on the way.
    /// - Throws: `BlockerError` when the file cannot be written.
    @discardableResult
    public func remove(_ address: IPAddress, now: Date = Date()) throws -> [String] {
        try update(now: now) { entries in entries.removeAll { $0.address == address } }
    }

    /// Applies queued changes in order in one locked read-modify-write (`BlockJournalWriter`).
    /// - Returns: notes about a file put aside on the way.
    /// - Throws: `BlockerError` when the file cannot be written.
    func apply(_ changes: [BlockJournalWriter.Change], now: Date = Date()) throws -> [String] {
        try update(now: now) { entries in Self.apply(changes, to: &entries) }
    }

    /// Blocks and unblocks in bulk (`--block-from`, `--unblock-from`): one locked read-modify-write for all.
    /// - Returns: notes about a file put aside on the way.
    /// - Throws: `BlockerError` when the file cannot be written.
    @discardableResult
    public func update(recording recorded: [BlockJournalEntry], removing removed: [IPAddress] = [],
                       now: Date = Date()) throws -> [String] {
        try update(now: now) { entries in
            Self.apply(removed.map { .remove($0) } + recorded.map { .record($0) }, to: &entries)
        }
    }

    /// The changes in order (the last change of an address wins), in time linear in entries plus changes:
    /// untouched entries keep their order, recorded ones follow in the order of their last change.
    private static func apply(_ changes: [BlockJournalWriter.Change], to entries: inout [BlockJournalEntry]) {
        var last: [IPAddress: Int] = [:]
        for (index, change) in changes.enumerated() {
            switch change {
            case .record(let entry): last[entry.address] = index
            case .remove(let address): last[address] = index
            }
        }
        entries.removeAll { last[$0.address] != nil }
        for (index, change) in changes.enumerated() {
            if case .record(let entry) = change, last[entry.address] == index { entries.append(entry) }
        }
    }

    /// Replaces every entry (start-up, after the restore).
    /// - Throws: `BlockerError` when the file cannot be written.
    public func replace(with entries: [BlockJournalEntry], now: Date = Date()) throws {
        _ = try update(now: now) { current in current = entries }
    }

    /// Creates the state file's directory when it is missing: mode 0700, owned by `owner` (the user the daemon
    /// runs as after the privilege drop, so it can write there). An existing directory is left as it is.
    /// - Returns: true when it was created.
    /// - Throws: `BlockerError` when it cannot be created or given to `owner`.
    @discardableResult
    public func prepareDirectory(owner: (uid: UInt32, gid: UInt32)?) throws -> Bool {
        var info = stat()
        if lstat(directory, &info) == 0 { return false }
        guard mkdir(directory, 0o700) == 0 else { throw BlockerError.system("creating the state directory \(directory)") }
        if let owner, geteuid() == 0, chown(directory, owner.uid, owner.gid) != 0 {
            throw BlockerError.system("giving the state directory \(directory) to uid \(owner.uid)")
        }
        return true
    }

    /// One locked read-modify-write: read (dropping expired entries), change, write back sorted.
    private func update(now: Date, _ change: (inout [BlockJournalEntry]) -> Void) throws -> [String] {
        try withLockedFile { file in
            let loaded = try read(file, now: now)
            var entries = loaded.entries
            change(&entries)
            entries = entries.filter { $0.expiresAt > now }.sorted { $0.address < $1.address }
            let document = BlockJournalDocument(version: BlockJournalDocument.currentVersion, blocks: entries)
            let bytes: [UInt8]
            do { bytes = try document.encoded() } catch {
                throw BlockerError(operation: "encoding the state file \(path)", reason: "\(error)")
            }
            // Never write what the next start could not read back.
            guard bytes.count <= BlockJournalFile.sizeLimit else {
                throw BlockerError(operation: "writing the state file \(path)",
                                   reason: "\(entries.count) blocks would take \(bytes.count) bytes, more than its limit of \(BlockJournalFile.sizeLimit); the file is left as it was (for lists this large, keep the list and load it again with --block-from after a reboot, or serve it as a kernel blocklist feed)")
            }
            try file.replace(with: bytes)
            return loaded.notes
        }
    }

    private func withLockedFile<T>(_ body: (BlockJournalFile) throws -> T) throws -> T {
        let file = try BlockJournalFile(directory: directory, name: name, trustedOwners: trustedOwners)
        defer { file.close() }
        try file.lock()
        return try body(file)
    }

    /// Reads and decodes the file; an untrusted or undecodable one is put aside and counts as empty.
    private func read(_ file: BlockJournalFile, now: Date) throws -> Loaded {
        let bytes: [UInt8]?
        do {
            bytes = try file.read(trustedOwners: trustedOwners)
        } catch {
            switch error {
            case .system(let failure): throw failure
            case .untrusted(let why):
                return Loaded(entries: [], expired: 0, notes: [setAside(file, suffix: "untrusted",
                                                                       why: "refusing to read it: \(why)")])
            }
        }
        guard let bytes else { return Loaded(entries: [], expired: 0, notes: []) }
        do {
            let document = try BlockJournalDocument.decode(bytes)
            let running = document.blocks.filter { $0.expiresAt > now }
            return Loaded(entries: running.sorted { $0.address < $1.address },
                          expired: document.blocks.count - running.count, notes: [])
        } catch {
            return Loaded(entries: [], expired: 0, notes: [setAside(file, suffix: "corrupt",
                                                                   why: "cannot decode it (\(error))")])
        }
    }

    private func setAside(_ file: BlockJournalFile, suffix: String, why: String) -> String {
        if let moved = file.setAside(suffix: suffix) {
            return "state file \(path): \(why); kept as \(moved), starting without it"
        }
        return "state file \(path): \(why); it could not be renamed aside (\(BlockerError.errnoText(errno))), starting without it"
    }
}
