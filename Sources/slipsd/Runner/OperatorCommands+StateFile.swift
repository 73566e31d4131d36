import Blocker
import NetCore

extension OperatorCommands {
    /// The state file `--block` and `--unblock` update (blocks that survive a reboot), or nil when there is none.
    private var stateFile: BlockJournal? {
        ResponseWiring.journal(settings: settings, daemonUser: settings.daemon.user, create: false).0
    }

    /// The state file for the bulk commands (nil: none configured).
    var stateFileForBulk: BlockJournal? { stateFile }

    /// Records operators' blocks in the state file in one write; the text to append to the confirmation.
    func recordAllInStateFile(_ entries: [BlockEntry]) -> String {
        guard !entries.isEmpty else { return "" }
        guard let journal = stateFile else { return " (not kept across a reboot: no state file)" }
        do {
            try journal.update(recording: entries.map { BlockJournalEntry($0, origin: .operator) })
            return ""
        } catch {
            return " (not kept across a reboot: \(error))"
        }
    }

    /// Records an operator's block in the state file; the text to append to the confirmation ("" when recorded
    /// or when there is no state file).
    func recordInStateFile(_ entry: BlockEntry) -> String {
        guard let journal = stateFile else { return " (not kept across a reboot: no state file)" }
        do {
            try journal.record(BlockJournalEntry(entry, origin: .operator))
            return ""
        } catch {
            return " (not kept across a reboot: \(error))"
        }
    }

    /// Removes an address from the state file; a line for stderr when that failed (nil when done or no file).
    func removeFromStateFile(_ address: IPAddress) -> String? {
        guard let journal = stateFile else { return nil }
        do {
            try journal.remove(address)
            return nil
        } catch {
            return "removing \(address) from the state file failed: \(error); it would be blocked again after a reboot"
        }
    }
}
