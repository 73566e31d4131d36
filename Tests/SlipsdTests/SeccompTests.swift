import Foundation
import NetCore
import Testing
@testable import slipsd

/// The inline daemon's seccomp filter: the allowlist itself, the `daemon.seccomp` key, and the daemon running the
/// whole inline scenario under the filter in a namespace gateway (`DaemonLab`, namespaces `sc…`).
@Suite("Seccomp filter", .serialized)
struct SeccompTests {
    @Test func everyAllowedNameIsASystemCallAndNoDangerousOneIsAllowed() {
        let names = SeccompAllowlist.rules.map(\.name)
        for name in names { #expect(SeccompFilter.knows(name), "libseccomp does not know '\(name)'") }
        #expect(Set(names).count == names.count, "a call is listed twice")
        for forbidden in ["execve", "execveat", "fork", "vfork", "ptrace", "mount", "umount2", "pivot_root",
                          "init_module", "finit_module", "kexec_load", "bpf", "process_vm_writev", "setns",
                          "unshare", "chroot", "setuid", "setresuid", "capset", "personality"] {
            #expect(!names.contains(forbidden), "\(forbidden) is allowed")
        }
        // Sockets: only AF_UNIX and AF_NETLINK; clone only for threads.
        let socket = SeccompAllowlist.rules.first { $0.name == "socket" }
        guard case .argumentIn(0, let families)? = socket?.condition else {
            Issue.record("socket is not restricted by family: \(String(describing: socket))")
            return
        }
        #expect(Set(families) == [UInt64(AF_UNIX), UInt64(AF_NETLINK)])
        let clone = SeccompAllowlist.rules.first { $0.name == "clone" }
        guard case .argumentHasBits(0, let mask)? = clone?.condition else {
            Issue.record("clone is not restricted to threads")
            return
        }
        #expect(mask == 0x0001_0000)                          // CLONE_THREAD
    }

    @Test("daemon.seccomp", arguments: [("", SeccompMode.enforce), ("daemon:\n  seccomp: log\n", .log),
                                        ("daemon:\n  seccomp: off\n", .off), ("daemon:\n  seccomp: enforce\n", .enforce)])
    func modeIsRead(yaml: String, mode: SeccompMode) throws {
        #expect(try ConfigLoader.parse(yaml, file: "t.yaml").daemon.seccomp == mode)
    }

    @Test func unknownModeIsAnError() {
        do {
            _ = try ConfigLoader.parse("daemon:\n  seccomp: strict\n", file: "t.yaml")
            Issue.record("'strict' accepted")
        } catch {
            #expect(error.description == "t.yaml:2:12: daemon.seccomp: expected one of enforce, log, off", "\(error)")
        }
    }

    /// Under `enforce`: a scan blocked, `--list-blocked`, `--unblock`, `--status`, an rtnetlink address event, a
    /// SIGHUP reload, then SIGTERM: the daemon exits 0 (no SIGSYS) and showed `Seccomp: 2` while it ran.
    @Test(.timeLimit(.minutes(3)))
    func enforcedFilterRunsTheWholeInlineScenario() throws {
        let lab = try DaemonLab(tag: "sc-e")
        defer { lab.cleanUp() }
        let whitelist = lab.dir + "/whitelist.conf"
        try "; nothing whitelisted yet\n".write(toFile: whitelist, atomically: true, encoding: .utf8)
        let config = try lab.writeConfig("""
          seccomp: enforce
        whitelists:
          enable_local_whitelist: true
          local_whitelist_path: \(whitelist)
        blocking:
          duration: 300
          unblock_grace_period: 600
        """)
        let slipsd = RepositoryPaths.slipsdBinary
        let daemon = try lab.startDaemon(["--inline", "--queue", "21", "-c", config, "-o", lab.dir + "/out"])
        let pid = daemon.processIdentifier
        #expect(lab.daemonLog.contains("seccomp: enforce"), "\(lab.daemonLog)")
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        #expect(status.contains("Seccomp:\t2\n"), "not in filter mode: \(status)")
        #expect(status.contains("Seccomp_filters:\t1\n"), "\(status)")
        #expect(lab.connects(from: lab.benign))

        // Block, list, unblock.
        let scan = try lab.scan(from: lab.attacker)
        defer { if scan.isRunning { scan.terminate() } }
        try #require(waitUntil(seconds: 15) { lab.isBlocked(DaemonLab.attackerIP) }, "not blocked: \(lab.daemonLog)")
        scan.terminate()
        let listing = try lab.net.exec(lab.gateway, "\(slipsd) --list-blocked -c \(config)")
        #expect(listing.contains(DaemonLab.attackerIP), "\(listing)")
        let statusText = try lab.net.exec(lab.gateway, "\(slipsd) --status -c \(config)")
        #expect(statusText.contains("queues"), "\(statusText)")
        let unblock = try lab.net.exec(lab.gateway, "\(slipsd) --unblock \(DaemonLab.attackerIP) -c \(config)")
        #expect(unblock.contains("unblocked"), "\(unblock)")
        #expect(waitUntil(seconds: 5) { lab.connects(from: lab.attacker, seconds: 1) })

        // An address event (the self-protection watcher refreshes over rtnetlink and reads resolv.conf).
        try lab.net.exec(lab.gateway, "ip addr add 10.78.2.9/24 dev v2b")
        usleep(500_000)
        #expect(daemon.isRunning, "killed after an address event: \(lab.daemonLog)")

        // A stop and continue (a debugger, ^Z): the kernel resumes the interrupted sleeps with restart_syscall.
        kill(pid, SIGSTOP)
        usleep(300_000)
        kill(pid, SIGCONT)
        usleep(300_000)
        #expect(daemon.isRunning, "killed after SIGSTOP/SIGCONT: \(lab.daemonLog)")
        #expect(lab.connects(from: lab.benign))

        // SIGHUP: configuration and whitelist re-read, applied by the detection thread.
        try "ip,\(DaemonLab.benignIP),both,alerts\n".write(toFile: whitelist, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        #expect(waitUntil(seconds: 10) { lab.daemonLog.contains("SIGHUP: reloaded") }, "\(lab.daemonLog)")
        #expect(waitUntil(seconds: 10) { lab.file("out/slipsd.log").contains("applied the reloaded settings") })
        let afterReload = try lab.net.exec(lab.gateway, "\(slipsd) --status -c \(config)")
        #expect(afterReload.contains("reloads             1"), "\(afterReload)")
        #expect(lab.connects(from: lab.benign))

        kill(pid, SIGTERM)
        try #require(waitForExit(daemon, seconds: 15), "no exit after SIGTERM: \(lab.daemonLog)")
        #expect(daemon.terminationReason == .exit, "killed by signal \(daemon.terminationStatus) (31 is SIGSYS): \(lab.daemonLog)")
        #expect(daemon.terminationStatus == 0, "\(lab.daemonLog)")
        #expect(lab.daemonLog.contains("stopped; steering removed"), "\(lab.daemonLog)")
    }

    /// `daemon.seccomp: off`: no filter (`Seccomp: 0`); `log`: a filter (`Seccomp: 2`) that allows and logs. The
    /// log line names the mode.
    @Test(.timeLimit(.minutes(2)), arguments: [("off", 0), ("log", 2)])
    func otherModes(mode: String, procValue: Int) throws {
        let lab = try DaemonLab(tag: "sc-\(mode.prefix(1))")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig("  seccomp: \(mode)\n")
        let daemon = try lab.startDaemon(["--inline", "--queue", "22", "-c", config, "-o", lab.dir + "/out"])
        let status = try String(contentsOfFile: "/proc/\(daemon.processIdentifier)/status", encoding: .utf8)
        #expect(status.contains("Seccomp:\t\(procValue)\n"), "\(status)")
        #expect(lab.daemonLog.contains("seccomp: \(mode)"), "\(lab.daemonLog)")
        #expect(lab.connects(from: lab.benign))
        kill(daemon.processIdentifier, SIGTERM)
        #expect(waitForExit(daemon, seconds: 15))
        #expect(daemon.terminationStatus == 0)
    }
}
