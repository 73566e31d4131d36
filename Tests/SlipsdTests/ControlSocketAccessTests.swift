import Foundation
import Testing

/// Who may use the control socket: root, and members of `daemon.control_group` — also when the group is only a
/// supplementary one (SO_PEERCRED carries only the primary gid). A member's `--unblock` succeeds through the
/// daemon although the member cannot talk netlink itself. Test users and groups are made with useradd/groupadd
/// and removed afterwards; clients run through `setpriv --init-groups`.
@Suite("Control socket access", .serialized)
struct ControlSocketAccessTests {
    /// A lab whose daemon lets group `group` use the control socket.
    static func lab(tag: String, accounts: ControlTestAccounts) throws -> (DaemonLab, String, String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw NamespaceError(command: "setpriv", output: "util-linux's setpriv is missing")
        }
        let group = try accounts.group("g")
        let lab = try DaemonLab(tag: tag)
        let config = try lab.writeConfig("""
        whitelists:
          enable_local_whitelist: false
        """)
        // The lab's daemon section gains the group (writeConfig writes `daemon:` with user and socket).
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "daemon:\n", with: "daemon:\n  control_group: \(group)\n")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        return (lab, config, group)
    }

    @Test(.timeLimit(.minutes(2)))
    func supplementaryGroupMemberIsServedAndOutsiderIsNot() throws {
        let accounts = ControlTestAccounts()
        defer { accounts.removeAll() }
        let (lab, config, group) = try Self.lab(tag: "cta", accounts: accounts)
        defer { lab.cleanUp() }
        let member = try accounts.user("m", supplementary: [group])
        let outsider = try accounts.user("o", supplementary: [])
        let daemon = try lab.startDaemon(["--inline", "--queue", "31", "--no-block", "-c", config])

        let asMember = try TimedCommand.slipsd(["--status", "-c", config], namespace: lab.gateway,
                                               asUser: (member, "nogroup"), seconds: 10)
        #expect(asMember.status == 0 && asMember.output.contains("queues"),
                "a member through a supplementary group is refused: \(asMember.output)")
        let asOutsider = try TimedCommand.slipsd(["--status", "-c", config], namespace: lab.gateway,
                                                 asUser: (outsider, "nogroup"), seconds: 10)
        #expect(asOutsider.status != 0 && !asOutsider.output.contains("queues"),
                "a user outside the group got the status: \(asOutsider.output)")
        kill(daemon.processIdentifier, SIGTERM)
        #expect(waitForExit(daemon, seconds: 15))
    }

    @Test(.timeLimit(.minutes(2)))
    func memberUnblockSucceedsThroughTheDaemon() throws {
        let accounts = ControlTestAccounts()
        defer { accounts.removeAll() }
        let (lab, config, group) = try Self.lab(tag: "ctb", accounts: accounts)
        defer { lab.cleanUp() }
        let member = try accounts.user("m", supplementary: [group])
        let daemon = try lab.startDaemon(["--inline", "--queue", "32", "-c", config])
        let block = try TimedCommand.slipsd(["--block", DaemonLab.attackerIP, "--for", "600", "-c", config],
                                            namespace: lab.gateway, seconds: 10)
        #expect(block.status == 0, "\(block.output)")
        #expect(lab.isBlocked(DaemonLab.attackerIP))

        let unblock = try TimedCommand.slipsd(["--unblock", DaemonLab.attackerIP, "-c", config],
                                              namespace: lab.gateway, asUser: (member, "nogroup"), seconds: 10)
        #expect(unblock.status == 0 && unblock.output.contains("unblocked \(DaemonLab.attackerIP)"),
                "the member's unblock failed although the daemon can do it: \(unblock.output)")
        #expect(!lab.isBlocked(DaemonLab.attackerIP), "the kernel element is still there")
        kill(daemon.processIdentifier, SIGTERM)
        #expect(waitForExit(daemon, seconds: 15))
    }
}
