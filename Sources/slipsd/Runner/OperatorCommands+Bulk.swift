import Blocker
import NetCore

/// `--block-from` and `--unblock-from`: an operator's bulk path (as `cscli decisions import`), a million
/// addresses in seconds through the blocker's batched netlink messages, with one state-file write.
extension OperatorCommands {
    /// Problems shown one per line before the rest are counted.
    private static let shownProblems = 20
    /// The largest list read (a million lines with reasons fit many times over).
    private static let maxListBytes = 1 << 30

    func blockFrom(_ path: String, defaultSeconds: Int) -> Int32 {
        guard let list = readList(path) else { return 1 }
        let started = MonotonicClock.now()
        do {
            let blocker = try ResponseWiring.blocker(settings: settings)
            _ = try blocker.setUp()
            let entries = list.items.map { item in
                BlockEntry(address: item.address, timeout: .seconds(item.seconds ?? defaultSeconds),
                           reason: item.reason ?? "manual", alertID: "manual")
            }
            let outcomes = try blocker.block(entries)
            var blocked: [BlockEntry] = []
            var refused: [String] = []
            var failed: [String] = []
            for (entry, outcome) in zip(entries, outcomes) {
                switch outcome.status {
                case .blocked: blocked.append(entry)
                case .refused(let why): refused.append("not blocking \(entry.address): \(why)")
                case .failed(let why): failed.append("blocking \(entry.address) failed: \(why)")
                }
            }
            Self.report(refused + failed)
            let stateNote = recordAllInStateFile(blocked)
            let seconds = MonotonicClock.now() - started
            Console.out("blocked \(blocked.count) address(es) from \(path) in \(Self.text(seconds)) s"
                + " (\(refused.count) refused, \(failed.count) failed, \(list.problems.count) line(s) not used)"
                + stateNote)
            return refused.isEmpty && failed.isEmpty && list.problems.isEmpty ? 0 : 1
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
    }

    func unblockFrom(_ path: String) -> Int32 {
        guard let list = readList(path) else { return 1 }
        let started = MonotonicClock.now()
        let addresses = list.items.map(\.address)
        do {
            let blocker = try ResponseWiring.blocker(settings: settings)
            try blocker.unblock(addresses)
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
        var note = ""
        if let journal = stateFileForBulk {
            do { try journal.update(recording: [], removing: addresses) } catch {
                note = " (the state file was not updated: \(error); they would be blocked again after a reboot)"
            }
        }
        // A running daemon drops blocked hosts in process too: it keeps only what the kernel still holds.
        switch ControlClient.send(.resync, to: settings.daemon.controlSocket) {
        case .success(let response) where !response.ok:
            note += " (the running daemon refused to resynchronise: \(response.error ?? "no reason"); its in-process drops of these hosts end with their blocks)"
        case .failure(.notRunning):
            break
        case .failure(let failure):
            note += " (the running daemon did not answer: \(failure); its in-process drops of these hosts end with their blocks)"
        default:
            break
        }
        let seconds = MonotonicClock.now() - started
        Console.out("unblocked \(addresses.count) address(es) from \(path) in \(Self.text(seconds)) s"
            + " (\(list.problems.count) line(s) not used; no grace period for bulk unblocks)" + note)
        return list.problems.isEmpty ? 0 : 1
    }

    /// The parsed file or standard input; problems are printed. Nil when it cannot be read.
    private func readList(_ path: String) -> BulkBlockList? {
        let bytes: [UInt8]
        do {
            bytes = try TextFile.readBytes(path == "-" ? "/dev/stdin" : path, limit: Self.maxListBytes,
                                           failAboveLimit: true)
        } catch {
            Console.error("slipsd: \(error)")
            return nil
        }
        let list = BulkBlockList(bytes)
        Self.report(list.problems.map { "\(path): \($0)" })
        return list
    }

    private static func report(_ lines: [String]) {
        for line in lines.prefix(shownProblems) { Console.error("slipsd: \(line)") }
        if lines.count > shownProblems { Console.error("slipsd: … and \(lines.count - shownProblems) more") }
    }

    private static func text(_ seconds: Double) -> String { "\((seconds * 100).rounded() / 100)" }
}
