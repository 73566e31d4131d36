import Foundation
import Testing

/// The control socket's life: `--unblock` does not hang on a stopped daemon (it times out on the socket and
/// removes the kernel element itself), one daemon per socket (a second refuses and leaves the first one's socket
/// alone), and the socket file goes when the daemon exits, on SIGTERM or on an error.
@Suite("Control socket life cycle", .serialized)
struct ControlSocketLifecycleTests {
    @Test(.timeLimit(.minutes(2)))
    func unblockWithAStoppedDaemonTimesOutAndStillRemovesTheElement() throws {
        let lab = try DaemonLab(tag: "cts")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig("""
        whitelists:
          enable_local_whitelist: false
        """)
        let daemon = try lab.startDaemon(["--inline", "--queue", "35", "-c", config])
        let block = try TimedCommand.slipsd(["--block", DaemonLab.attackerIP, "--for", "600", "-c", config],
                                            namespace: lab.gateway, seconds: 10)
        #expect(block.status == 0 && lab.isBlocked(DaemonLab.attackerIP), "\(block.output)")

        kill(daemon.processIdentifier, SIGSTOP)
        defer { kill(daemon.processIdentifier, SIGCONT) }
        let unblock = try TimedCommand.slipsd(["--unblock", DaemonLab.attackerIP, "-c", config],
                                              namespace: lab.gateway, seconds: 15)
        print("control socket: --unblock against a stopped daemon returned after \(String(format: "%.2f", unblock.elapsed)) s")
        #expect(!unblock.timedOut, "--unblock still hangs after 15 s on a stopped daemon")
        #expect(unblock.elapsed < 5, "--unblock took \(unblock.elapsed) s")
        #expect(unblock.status == 0 && unblock.output.contains("unblocked"), "\(unblock.output)")
        #expect(unblock.output.contains("did not answer"), "the operator is not told the daemon was silent: \(unblock.output)")
        #expect(!lab.isBlocked(DaemonLab.attackerIP), "the kernel element is still there")
        kill(daemon.processIdentifier, SIGCONT)
        kill(daemon.processIdentifier, SIGTERM)
        #expect(waitForExit(daemon, seconds: 15))
    }

    @Test(.timeLimit(.minutes(2)))
    func aSecondDaemonOnTheSameSocketRefusesAndLeavesItAlone() throws {
        let lab = try DaemonLab(tag: "ctd")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig()
        let socket = lab.dir + "/run/control.sock"
        let first = try lab.startDaemon(["--inline", "--queue", "36", "--no-block", "--no-steer", "-c", config])
        var before = stat()
        #expect(stat(socket, &before) == 0)

        let second = try TimedCommand.slipsd(["--inline", "--queue", "37", "--no-block", "--no-steer", "-c", config],
                                             namespace: lab.gateway, seconds: 20)
        #expect(!second.timedOut && second.status != 0, "a second daemon started on the same socket: \(second.output)")
        #expect(second.output.contains("already"), "no clear message: \(second.output)")
        var after = stat()
        #expect(stat(socket, &after) == 0 && after.st_ino == before.st_ino, "the first daemon's socket was replaced or removed")
        let status = try TimedCommand.slipsd(["--status", "-c", config], namespace: lab.gateway, seconds: 10)
        #expect(status.status == 0 && status.output.contains("queues              36"), "\(status.output)")
        kill(first.processIdentifier, SIGTERM)
        #expect(waitForExit(first, seconds: 15))
    }

    @Test(.timeLimit(.minutes(2)))
    func theSocketFileGoesAtExit() throws {
        let lab = try DaemonLab(tag: "cte")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig()
        let socket = lab.dir + "/run/control.sock"
        let daemon = try lab.startDaemon(["--inline", "--queue", "38", "--no-block", "--no-steer", "-c", config])
        #expect(FileManager.default.fileExists(atPath: socket))
        kill(daemon.processIdentifier, SIGTERM)
        #expect(waitForExit(daemon, seconds: 15))
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket stays after SIGTERM")

        // An error after the socket was made (the user to drop to does not exist) exits 1 without it either.
        let failing = try TimedCommand.slipsd(["--inline", "--queue", "38", "--no-block", "--no-steer",
                                               "--user", "ct-no-such-user", "-c", config],
                                              namespace: lab.gateway, seconds: 20)
        #expect(failing.status == 1, "\(failing.output)")
        #expect(failing.output.contains("ct-no-such-user"), "\(failing.output)")
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket stays after an error exit")
    }
}
