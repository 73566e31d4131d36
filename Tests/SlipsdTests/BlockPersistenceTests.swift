import Blocker
import Foundation
import NetCore
import Testing

/// Blocks that survive a reboot (`blocking.state_file`), with the real daemon in a namespace lab (`DaemonLab`): a
/// "reboot" is the daemon stopped and the nftables table deleted, as a reboot empties the kernel's sets.
@Suite("Block persistence across a reboot", .serialized)
struct BlockPersistenceTests {
    /// The lab's configuration with a state file in `dir/state` (created by the daemon when missing).
    func config(_ lab: DaemonLab, _ extraBlocking: String = "") throws -> String {
        try lab.writeConfig("""
        whitelists:
          enable_local_whitelist: false
        blocking:
          duration: 300
          state_file: \(lab.dir)/state/blocks.json
        \(extraBlocking)
        """)
    }

    /// Stops the daemon with SIGINT and deletes the table, as a reboot would leave the kernel.
    func reboot(_ lab: DaemonLab, _ daemon: Process) throws {
        kill(daemon.processIdentifier, SIGINT)
        #expect(waitForExit(daemon, seconds: 15), "\(lab.daemonLog)")
        #expect(daemon.terminationStatus == 0, "\(lab.daemonLog)")
        try lab.net.exec(lab.gateway, "nft delete table inet slipsd")
        #expect(!lab.isBlocked(DaemonLab.attackerIP))
    }

    /// The state file's entries (read as root, through the same type the daemon uses).
    func stateEntries(_ lab: DaemonLab) throws -> [BlockJournalEntry] {
        try BlockJournal(path: lab.dir + "/state/blocks.json", trustedOwners: [0, 65_534]).load().entries
    }

    /// `--list-blocked --json` rows of the gateway, by IP.
    func listed(_ lab: DaemonLab, _ config: String) throws -> [String: [String: Any]] {
        let json = try lab.net.exec(lab.gateway, "\(RepositoryPaths.slipsdBinary) --list-blocked --json -c \(config)")
        let rows = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        return Dictionary(rows.map { ($0["ip"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test(.timeLimit(.minutes(3)))
    func scannerStaysBlockedAfterReboot() throws {
        let lab = try DaemonLab(tag: "ps-r")
        defer { lab.cleanUp() }
        let config = try config(lab)
        var daemon = try lab.startDaemon(["--inline", "--queue", "21", "-c", config, "-o", lab.dir + "/out1"])
        #expect(lab.daemonLog.contains("created the state directory \(lab.dir)/state"), "\(lab.daemonLog)")
        let scan = try lab.scan(from: lab.attacker)
        defer { if scan.isRunning { scan.terminate() } }
        try #require(waitUntil(seconds: 20) { lab.isBlocked(DaemonLab.attackerIP) }, "not blocked: \(lab.daemonLog)")
        scan.terminate()

        // Recorded by the unprivileged daemon: its own file, mode 0600, with reason, scope, origin and expiry.
        #expect(waitUntil(seconds: 5) { ((try? stateEntries(lab)) ?? []).contains { $0.address.description == DaemonLab.attackerIP } })
        let recorded = try #require(try stateEntries(lab).first { $0.address.description == DaemonLab.attackerIP })
        #expect(recorded.origin == .alert && recorded.scope == .newConnections && recorded.reason.contains("SCAN"), "\(recorded)")
        let lifetime = recorded.expiresAt.timeIntervalSince(recorded.blockedAt)
        #expect(lifetime > 298 && lifetime <= 300, "\(recorded)")
        let attributes = try FileManager.default.attributesOfItem(atPath: lab.dir + "/state/blocks.json")
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(attributes[.ownerAccountID] as? Int == 65_534, "written by the daemon's user after the drop")

        try reboot(lab, daemon)
        daemon = try lab.startDaemon(["--inline", "--queue", "21", "-c", config, "-o", lab.dir + "/out2"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(lab.daemonLog.contains("1 block(s) restored with their remaining time"), "\(lab.daemonLog)")
        // Back in the kernel the moment the daemon is ready, with the remaining time as its timeout.
        #expect(lab.isBlocked(DaemonLab.attackerIP), "the block did not survive the reboot: \(lab.daemonLog)")
        let row = try #require(try listed(lab, config)[DaemonLab.attackerIP])
        let timeout = try #require(row["timeout_seconds"] as? Int)
        #expect(timeout <= 300 && timeout >= 250, "\(row)")
        #expect(row["reason"] as? String == recorded.reason)

        // The scanner is dropped in the kernel before anything sees it: a new scan gives no evidence at all.
        let started = Date()
        _ = lab.net.status(lab.attacker, "for p in $(seq 2000 2007); do nc -z -w 1 \(DaemonLab.serverIP) $p; done")
        #expect(Date().timeIntervalSince(started) > 6, "the closed ports answered: the scanner is not dropped")
        #expect(!lab.connects(from: lab.attacker, seconds: 1), "the restored block does not drop the scanner")
        #expect(lab.connects(from: lab.benign), "the benign client no longer connects")
        usleep(4_000_000)                      // past the flow table's 3 s report delay for unanswered attempts
        let alerts = lab.file("out2/alerts/alerts.log")
        #expect(!alerts.contains(DaemonLab.attackerIP), "new evidence against a host that was blocked: \(alerts)")
    }

    @Test(.timeLimit(.minutes(3)))
    func restoreRefusesExpiredProtectedAndUntrusted() throws {
        let lab = try DaemonLab(tag: "ps-x")
        defer { lab.cleanUp() }
        let config = try config(lab, "  allowlist: [\"10.78.2.0/24\"]")
        let state = lab.dir + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700, .ownerAccountID: 65_534])
        let journal = BlockJournal(path: state + "/blocks.json", trustedOwners: [0, 65_534])
        let now = Date()
        func entry(_ ip: String, expiresIn seconds: Double) -> BlockJournalEntry {
            BlockJournalEntry(address: IPAddress(ip)!, scope: .full, origin: .alert, reason: "VERTICAL_PORT_SCAN",
                              alertID: "a-\(ip)", blockedAt: now.addingTimeInterval(-120), expiresAt: now.addingTimeInterval(seconds))
        }
        // Written as an earlier run would have: the attacker's block ended 5 s ago, the benign network is
        // allowlisted now, 10.78.1.1 is the gateway itself.
        // An operator's block while the daemon is down goes to the same file.
        let blocked = try lab.net.exec(lab.gateway, "\(RepositoryPaths.slipsdBinary) --block 192.0.2.77 --for 600 -c \(config)")
        #expect(blocked.contains("blocked 192.0.2.77 for 600 s") && !blocked.contains("not kept"), "\(blocked)")
        #expect(try stateEntries(lab).first { $0.address.description == "192.0.2.77" }?.origin == .operator)
        for item in [entry(DaemonLab.attackerIP, expiresIn: -5), entry(DaemonLab.benignIP, expiresIn: 600),
                     entry("10.78.1.1", expiresIn: 600), entry("192.0.2.50", expiresIn: 600)] {
            try journal.record(item, now: now.addingTimeInterval(-60))
        }
        try lab.net.exec(lab.gateway, "nft delete table inet slipsd")

        var daemon = try lab.startDaemon(["--inline", "--queue", "22", "-c", config, "-o", lab.dir + "/out"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let log = lab.daemonLog
        #expect(log.contains("2 block(s) restored with their remaining time, 1 expired, 2 refused"), "\(log)")
        #expect(log.contains("not restoring the block of \(DaemonLab.benignIP) from the state file: it is in allowlist 10.78.2.0/24"), "\(log)")
        #expect(log.contains("not restoring the block of 10.78.1.1 from the state file: it is an address of interface"), "\(log)")
        #expect(lab.isBlocked("192.0.2.50") && lab.isBlocked("192.0.2.77"), "\(log)")
        #expect(!lab.isBlocked(DaemonLab.attackerIP), "an expired block came back")
        #expect(!lab.isBlocked(DaemonLab.benignIP), "an allowlisted host was blocked from the file")
        #expect(!lab.isBlocked("10.78.1.1"), "the gateway's own address was blocked from the file")
        #expect(lab.connects(from: lab.benign))
        #expect(Set(try stateEntries(lab).map(\.address.description)) == ["192.0.2.50", "192.0.2.77"])

        // --unblock with the daemon running removes the entry too (the daemon's and the operator's side).
        let unblocked = try lab.net.exec(lab.gateway, "\(RepositoryPaths.slipsdBinary) --unblock 192.0.2.77 -c \(config)")
        #expect(unblocked.contains("unblocked 192.0.2.77"), "\(unblocked)")
        #expect(try stateEntries(lab).map(\.address.description) == ["192.0.2.50"])

        // A file anyone could have written is refused with a message, kept aside, and nothing in it is blocked.
        try reboot(lab, daemon)
        chmod(state + "/blocks.json", 0o666)
        daemon = try lab.startDaemon(["--inline", "--queue", "22", "-c", config, "-o", lab.dir + "/out"])
        let refusedLog = lab.daemonLog
        #expect(refusedLog.contains("refusing to read it: \(state)/blocks.json is writable by everyone (mode 666)"), "\(refusedLog)")
        #expect(refusedLog.contains("kept as \(state)/blocks.json.untrusted"), "\(refusedLog)")
        #expect(!lab.isBlocked("192.0.2.50"), "a block from an untrusted file was restored")
        #expect(daemon.isRunning)
    }
}
