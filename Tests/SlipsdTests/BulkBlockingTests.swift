import Blocker
import Foundation
import NetCore
import Testing

/// `--block-from` / `--unblock-from` against real nftables in a namespace lab, with the inline daemon running.
@Suite("Bulk blocking from a file", .serialized)
struct BulkBlockingTests {
    @Test(.timeLimit(.minutes(3)))
    func blockAndUnblockAHundredThousandWithTheDaemonRunning() throws {
        let lab = try DaemonLab(tag: "bkf")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig("""
        whitelists:
          enable_local_whitelist: false
        blocking:
          state_file: \(lab.dir)/state/blocks.json
        """)
        try FileManager.default.createDirectory(atPath: lab.dir + "/state", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700, .ownerAccountID: 65_534])
        let count = 100_000
        var text = "# operator list\n\(DaemonLab.attackerIP) 2h attacker seen elsewhere\n10.78.1.1 1h the gateway itself\nnot-an-address\n"
        for n in 0..<count { text += "198.\(18 + n / 65_536).\(n / 256 % 256).\(n % 256)\n" }
        text += "198.20.0.0/24,30m,a range\n"
        try text.write(toFile: lab.dir + "/list.txt", atomically: true, encoding: .utf8)
        let binary = RepositoryPaths.slipsdBinary
        // Blocked before the daemon starts: the daemon learns it (its in-process drops too).
        let block = ProcessResult.run(lab.net, lab.gateway, "\(binary) --block-from \(lab.dir)/list.txt -c \(config)")
        print(block.output)
        #expect(block.status == 1, "one line refused and one unusable: exit 1")
        #expect(block.output.contains("blocked \(count + 256 + 1) address(es) from \(lab.dir)/list.txt"), "\(block.output)")
        #expect(block.output.contains("(1 refused, 0 failed, 1 line(s) not used)"), "\(block.output)")
        #expect(block.output.contains("line 4: 'not-an-address' is neither an IP address nor a CIDR"), "\(block.output)")
        #expect(block.output.contains("not blocking 10.78.1.1"), "\(block.output)")
        #expect(lab.isBlocked(DaemonLab.attackerIP) && !lab.isBlocked("10.78.1.1"))
        // 100,257 blocks exceed what the state file may hold: it is left as it was, and the operator is told.
        #expect(block.output.contains("not kept across a reboot") && block.output.contains("more than its limit"),
                "\(block.output)")
        #expect(try BlockJournal(path: lab.dir + "/state/blocks.json", trustedOwners: [0, 65_534]).load().entries.isEmpty)

        // --list-blocked streams past its sorted limit: every element once, the JSON still one valid array.
        let listed = ProcessResult.run(lab.net, lab.gateway, "\(binary) --list-blocked --json -c \(config) 2>/dev/null")
        let rows = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]] ?? []
        #expect(rows.count == count + 256 + 1, "\(rows.count) rows listed")
        #expect(Set(rows.compactMap { $0["ip"] as? String }).count == rows.count, "an address listed twice")
        let attacker = rows.first { $0["ip"] as? String == DaemonLab.attackerIP }
        #expect(attacker?["reason"] as? String == "attacker seen elsewhere", "\(String(describing: attacker))")
        #expect((attacker?["timeout_seconds"] as? Int) == 7200, "\(String(describing: attacker))")
        let table = ProcessResult.run(lab.net, lab.gateway, "\(binary) --list-blocked -c \(config) 2>/dev/null")
        let tableRows = table.output.split(separator: "\n").filter { $0.hasPrefix("198.") || $0.hasPrefix("10.") }
        #expect(tableRows.count == count + 256 + 1, "\(tableRows.count) table rows")

        let daemon = try lab.startDaemon(["--inline", "--queue", "23", "-c", config, "-o", lab.dir + "/out"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(waitUntil(seconds: 20) { lab.daemonLog.contains("existing block(s) from the kernel") }, "\(lab.daemonLog)")
        #expect(!lab.connects(from: lab.attacker, seconds: 1))
        #expect(lab.connects(from: lab.benign))

        let unblock = ProcessResult.run(lab.net, lab.gateway, "\(binary) --unblock-from \(lab.dir)/list.txt -c \(config)")
        print(unblock.output)
        #expect(unblock.output.contains("unblocked \(count + 256 + 2) address(es)"), "\(unblock.output)")
        #expect(!lab.isBlocked(DaemonLab.attackerIP) && !lab.isBlocked("198.18.1.1"))
        // The daemon resynchronised its in-process drops with the kernel: the attacker's packets pass again.
        #expect(waitUntil(seconds: 15) { lab.connects(from: lab.attacker, seconds: 1) }, "\(lab.daemonLog)")
        let after = try BlockJournal(path: lab.dir + "/state/blocks.json", trustedOwners: [0, 65_534]).load().entries
        #expect(after.isEmpty, "\(after.count) entries left in the state file")
    }
}

private extension ProcessResult {
    /// `command` in `namespace` through sh, stdout and stderr together, never throwing.
    static func run(_ net: NetworkNamespaces, _ namespace: String, _ command: String) -> (status: Int32, output: String) {
        guard let result = try? ProcessResult.run("/bin/sh", ["-c", "ip netns exec \(namespace) \(command)"]) else {
            return (-1, "could not run \(command)")
        }
        return (result.status, result.stdout + result.stderr)
    }
}
