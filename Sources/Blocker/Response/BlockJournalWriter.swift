import Foundation
import Logging
import NetCore

/// Writes state-file changes off the thread that blocks: `record` and `remove` only queue the change; a thread
/// of its own applies everything queued in one locked read-modify-write of the file (`BlockJournal.apply`), so
/// a burst of 2,000 alerts costs a few file writes, not 2,000, and the detection thread never waits for `fsync`.
///
/// The thread starts at the first change (after the privilege drop in the daemon: it needs no capability and
/// writes as the daemon's user) and ends in `deinit`, after the queue is drained; `flush()` waits until every
/// change queued so far is in the file (shutdown, tests). A failed write is logged (`slipsd.block`) with the
/// changes it lost. `Sendable`: the detection thread (blocks) and the control thread (unblocks) share it.
public final class BlockJournalWriter: Sendable {
    /// The file the changes go to.
    public let journal: BlockJournal
    private let shared: Shared

    /// One change to the file.
    enum Change: Sendable {
        case record(BlockJournalEntry)
        case remove(IPAddress)
    }

    private final class Shared: @unchecked Sendable {
        // Every field below is guarded by `condition`.
        let condition = NSCondition()
        var pending: [Change] = []
        var writing = false
        var stop = false
        var thread: OSThread?
        var writes = 0
    }

    /// A writer for `journal`; no thread runs until the first change.
    public init(journal: BlockJournal) {
        self.journal = journal
        shared = Shared()
    }

    deinit {
        shared.condition.lock()
        shared.stop = true
        let thread = shared.thread
        shared.condition.broadcast()
        shared.condition.unlock()
        thread?.join()
    }

    /// Queues a block for the file (replacing an earlier entry of the same address).
    public func record(_ entry: BlockJournalEntry) { enqueue(.record(entry)) }

    /// Queues the removal of an address (an unblock).
    public func remove(_ address: IPAddress) { enqueue(.remove(address)) }

    /// Waits until every change queued before the call is written (or its write failed and was logged).
    public func flush() {
        shared.condition.lock()
        while !shared.pending.isEmpty || shared.writing { shared.condition.wait() }
        shared.condition.unlock()
    }

    /// Read-modify-writes done so far (each covers every change queued while the previous one ran).
    public var writes: Int {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        return shared.writes
    }

    private func enqueue(_ change: Change) {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        shared.pending.append(change)
        shared.condition.broadcast()
        if shared.thread == nil && !shared.stop {
            let shared = self.shared
            let journal = self.journal
            do {
                shared.thread = try OSThread.spawn(name: "slipsd-state", object: "the state file") {
                    Self.run(shared, journal)
                }
            } catch {
                // No thread: write on the caller's thread instead, this once and for later changes.
                let changes = shared.pending
                shared.pending.removeAll()
                Self.write(changes, to: journal)
            }
        } else if shared.thread == nil {
            let changes = shared.pending
            shared.pending.removeAll()
            Self.write(changes, to: journal)
        }
    }

    private static func run(_ shared: Shared, _ journal: BlockJournal) {
        shared.condition.lock()
        while true {
            while shared.pending.isEmpty && !shared.stop { shared.condition.wait() }
            if shared.pending.isEmpty && shared.stop { break }
            let changes = shared.pending
            shared.pending.removeAll()
            shared.writing = true
            shared.condition.unlock()
            write(changes, to: journal)
            shared.condition.lock()
            shared.writing = false
            shared.writes += 1
            shared.condition.broadcast()
        }
        shared.condition.unlock()
    }

    private static func write(_ changes: [Change], to journal: BlockJournal) {
        let logger = Logger(label: "slipsd.block")
        do {
            for note in try journal.apply(changes) { logger.warning("\(note)") }
        } catch {
            let addresses = changes.map { change -> String in
                switch change {
                case .record(let entry): "+\(entry.address)"
                case .remove(let address): "-\(address)"
                }
            }
            logger.error("writing the state file failed: \(error); lost changes \(addresses.joined(separator: " ")) (they end at a reboot)")
        }
    }
}
