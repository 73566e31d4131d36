import NetCore
import Synchronization

/// Start-up without a whole-set dump on the start path: the kernel's existing blocks are learned on a thread of
/// their own once the daemon inspects traffic, and handed to the response stage's thread.
///
/// A restart with a million blocks used to spend 15–22 s dumping the sets before the queue was bound, while
/// traffic passed uninspected. Those hosts do not need the dump to stay blocked: the kernel's elements already
/// drop them at the early hook. So the daemon binds and inspects first; this listing runs beside it on its own
/// netlink socket (the blocker's lock stays free for new blocks), and when it is done the stage's thread calls
/// `applyIfReady`, which adds the kernel's blocks the state file lacks to it (`BlockJournal.recordKernelBlocks`)
/// and loads the full blocks into the in-process drop set (`ResponseStage.adoptKernelBlocks(_:)`). The state
/// file itself is restored on the start path without a listing (`BlockJournal.restoreWithoutListing`). Until
/// the listing arrives, a new alert for a host the kernel already blocks re-adds its element, which only
/// refreshes its timeout.
public final class KernelBlockLearning: Sendable {
    private enum Outcome: Sendable {
        case listed([BlockedElement], seconds: Double, cpuSeconds: Double, passes: Int, interrupted: Bool)
        case failed(String)
    }

    /// Where the listing thread leaves its outcome (shared by reference with that thread).
    private final class Mailbox: Sendable {
        let outcome = Mutex<Outcome?>(nil)
        let arrived = Atomic<Bool>(false)
    }

    private let mailbox = Mailbox()
    private let applied = Atomic<Bool>(false)
    private let journal: BlockJournal?
    private let grace: UnblockGrace?
    private let recording: Int?
    private let thread: OSThread

    /// Starts listing `blocker`'s sets on a new thread (create it where that thread may open a netlink socket
    /// with CAP_NET_ADMIN: after the privilege drop, threads keep it).
    /// - Parameters:
    ///   - journal: the state file to restore once the listing arrived (nil: none).
    ///   - pause: the listing's pacing (`PacedBlockListing`: sleep per CPU second used; 0 lists flat out). The
    ///     kernel's dump is quadratic in the set's size (1 M elements: 86 s of one core), so by default it takes
    ///     at most a quarter of a core, leaving the rest to forwarding.
    ///   - grace: the stage's unblock record: hosts an operator unblocks while the listing runs are left out of
    ///     what it learned (their elements may be in it), so an unblocked host is neither dropped in process nor
    ///     written back to the state file.
    /// - Throws: `SystemError` when the thread cannot be created.
    public init(blocker: NftablesBlocker, journal: BlockJournal?, grace: UnblockGrace? = nil,
                pause: Double = PacedBlockListing.defaultPause) throws(SystemError) {
        self.journal = journal
        self.grace = grace
        recording = grace?.startRecording()
        let mailbox = mailbox
        thread = try OSThread.spawn(name: "slipsd-learn") {
            let started = MonotonicClock.now()
            let result: Outcome
            do {
                let listing = try PacedBlockListing.list(blocker, pause: pause)
                result = .listed(listing.elements, seconds: MonotonicClock.now() - started,
                                 cpuSeconds: listing.cpuSeconds, passes: listing.passes,
                                 interrupted: listing.interrupted)
            } catch {
                result = .failed("\(error)")
            }
            mailbox.outcome.withLock { $0 = result }
            mailbox.arrived.store(true, ordering: .releasing)
        }
    }

    /// True once the listing was applied (or failed and was reported).
    public var isDone: Bool { applied.load(ordering: .acquiring) }

    /// On the stage's thread, cheap to call per event (one atomic load until the listing arrives): when it
    /// has, restores the state file against it and adopts the kernel's blocks, once. Returns the lines to log,
    /// or nil when there is nothing (yet) to do.
    public func applyIfReady(to stage: ResponseStage) -> [String]? {
        guard !applied.load(ordering: .relaxed), mailbox.arrived.load(ordering: .acquiring) else { return nil }
        applied.store(true, ordering: .releasing)
        thread.join()
        guard let result = mailbox.outcome.withLock({ $0 }) else { return nil }
        switch result {
        case .failed(let why):
            _ = stopRecording()
            return ["listing the kernel's existing blocks failed: \(why); they stay in the kernel, the state file is not restored"]
        case .listed(let listed, let seconds, let cpuSeconds, let passes, let interrupted):
            let lifted = recorded()
            let elements = lifted.isEmpty ? listed : listed.filter { !lifted.contains($0.address) }
            var lines: [String] = []
            if let journal { lines += journal.recordKernelBlocks(elements, into: stage) }
            stage.adoptKernelBlocks(elements)
            // Unblocked while this was applied: undone after it (an unblock's own removal may have come first).
            for address in stopRecording().subtracting(lifted) where elements.contains(where: { $0.address == address }) {
                stage.drops.remove(address)
                stage.journal?.remove(address)
            }
            lines.append("learned \(elements.count) existing block(s) from the kernel in \((seconds * 100).rounded() / 100) s "
                + "(\((cpuSeconds * 100).rounded() / 100) s of CPU, \(passes) listing(s)), beside inspection (they were "
                + "dropped by the kernel meanwhile)"
                + (interrupted ? "; the sets kept changing during the listings, so some may not be learned (the kernel still drops them)" : "")
                + (lifted.isEmpty ? "" : "; \(listed.count - elements.count) unblocked meanwhile left out"))
            return lines
        }
    }

    /// The hosts unblocked since the listing started (recording goes on).
    private func recorded() -> Set<IPAddress> {
        guard let grace, let recording else { return [] }
        return grace.recorded(recording)
    }

    /// The hosts unblocked since the listing started (recording stops).
    private func stopRecording() -> Set<IPAddress> {
        guard let grace, let recording else { return [] }
        return grace.stopRecording(recording)
    }

    /// Waits for the listing and applies it (tests, and `-i -p` shutdown paths that must not leave it pending).
    public func waitAndApply(to stage: ResponseStage) -> [String] {
        thread.join()
        return applyIfReady(to: stage) ?? []
    }
}
