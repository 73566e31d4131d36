import NetCore
import Testing
import Foundation

/// The product end to end, in network namespaces this test creates: an attacker and a benign client, a gateway
/// running `slipsd --inline`, a server. The attacker scans the server; slipsd must block it in the kernel, keep
/// the benign client working, list and unblock on request, run unprivileged with only CAP_NET_ADMIN, and fail
/// open after `kill -9`.
@Suite("Inline end to end", .serialized)
struct InlineEndToEndTests {
    @Test(.timeLimit(.minutes(4)))
    func attackerIsBlockedListedAndUnblocked() throws {
        let net = NetworkNamespaces(tag: "sde")
        defer { net.removeAll() }
        let attacker = try net.add("att"), benign = try net.add("ben"), gateway = try net.add("gw"),
            server = try net.add("srv")
        try net.link(attacker, "10.77.1.2/24", gateway, "10.77.1.1/24", index: 1)
        try net.link(benign, "10.77.2.2/24", gateway, "10.77.2.1/24", index: 2)
        try net.link(gateway, "10.77.3.1/24", server, "10.77.3.2/24", index: 3)
        try net.exec(attacker, "ip route add default via 10.77.1.1")
        try net.exec(benign, "ip route add default via 10.77.2.1")
        try net.exec(server, "ip route add default via 10.77.3.1")
        try net.exec(gateway, "sysctl -qw net.ipv4.ip_forward=1")

        // A server with one open port; everything else answers RST.
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        listener.arguments = ["netns", "exec", server, "sh", "-c", "while true; do nc -l -p 8080 -q 0 </dev/null >/dev/null 2>&1 || nc -l 8080 </dev/null >/dev/null 2>&1; done"]
        try listener.run()
        defer { listener.terminate() }
        #expect(waitUntil(seconds: 5) { net.status(benign, "nc -z -w 1 10.77.3.2 8080") == 0 }, "server not reachable before slipsd runs")

        let dir = NSTemporaryDirectory() + "slipsd-e2e-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Configuration and outputs in a directory only root can write (slipsd refuses others); the control
        // socket in `run/`, owned by the user the daemon drops to, which removes the socket at exit.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/run", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755, .ownerAccountID: 65534], ofItemAtPath: dir + "/run")
        let config = """
        parameters:
          time_window_width: 60
        detection:
          evidence_detection_threshold: 0.25
        whitelists:
          enable_local_whitelist: false
        blocking:
          duration: 300
          unblock_grace_period: 600
        daemon:
          user: nobody
          control_socket: \(dir)/run/control.sock
        """
        try config.write(toFile: dir + "/test.yaml", atomically: true, encoding: .utf8)

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        daemon.arguments = ["netns", "exec", gateway] + InheritedDescriptorsAnchor.wrap(
            [RepositoryPaths.slipsdBinary, "--inline", "--queue", "7", "-c", dir + "/test.yaml", "-o", dir + "/out"])
        let log = FileManager.default.createFile(atPath: dir + "/daemon.log", contents: nil)
        #expect(log)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/daemon.log"))
        daemon.standardOutput = logHandle
        daemon.standardError = logHandle
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let ready = waitUntil(seconds: 20) {
            ((try? String(contentsOfFile: dir + "/daemon.log", encoding: .utf8)) ?? "").contains("ready")
        }
        let daemonLog = { (try? String(contentsOfFile: dir + "/daemon.log", encoding: .utf8)) ?? "" }
        try #require(ready, "slipsd did not become ready: \(daemonLog())")

        // Unprivileged after start-up, with exactly CAP_NET_ADMIN.
        let status = try String(contentsOfFile: "/proc/\(daemon.processIdentifier)/status", encoding: .utf8)
        let uidLine = status.split(separator: "\n").first { $0.hasPrefix("Uid:") } ?? ""
        #expect(!uidLine.contains("\t0\t"), "still root: \(uidLine)")
        #expect(status.contains("CapEff:\t0000000000001000"), "\(status)")
        #expect(status.contains("CapPrm:\t0000000000001000"))

        // Traffic flows through the queue for both clients.
        #expect(net.status(benign, "nc -z -w 2 10.77.3.2 8080") == 0)
        #expect(net.status(attacker, "nc -z -w 2 10.77.3.2 8080") == 0)

        // The attacker scans closed ports: rejected attempts, a vertical port scan.
        let scan = Process()
        scan.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        scan.arguments = ["netns", "exec", attacker, "sh", "-c", "for p in $(seq 1000 1040); do nc -z -w 1 10.77.3.2 $p; done"]
        let scanStart = Date()
        try scan.run()
        defer { if scan.isRunning { scan.terminate() } }
        // A scan of closed ports completes no handshake: its evidence is unverified, so the attacker is blocked
        // for the connections it opens (blocked_new4), not fully.
        let blocked = waitUntil(seconds: 10) {
            (try? net.exec(gateway, "nft list set inet slipsd blocked_new4"))?.contains("10.77.1.2") ?? false
        }
        try #require(blocked, "attacker not blocked within 10 s: \(daemonLog())")
        #expect(!((try? net.exec(gateway, "nft list set inet slipsd blocked4"))?.contains("10.77.1.2") ?? true))
        let blockSeconds = Date().timeIntervalSince(scanStart)
        print("attacker blocked \(blockSeconds) s after the scan began")
        #expect(blockSeconds < 10)
        scan.terminate()
        scan.waitUntilExit()

        // Its packets no longer reach the server; the benign client still works.
        #expect(net.status(attacker, "nc -z -w 2 10.77.3.2 8080") != 0)
        #expect(net.status(benign, "nc -z -w 2 10.77.3.2 8080") == 0)

        // Listed with its reason, then unblocked.
        let listing = try net.exec(gateway, "\(RepositoryPaths.slipsdBinary) --list-blocked -c \(dir)/test.yaml")
        #expect(listing.contains("10.77.1.2"))
        #expect(listing.contains("SCAN"), "reason missing: \(listing)")
        let unblock = try net.exec(gateway, "\(RepositoryPaths.slipsdBinary) --unblock 10.77.1.2 -c \(dir)/test.yaml")
        #expect(unblock.contains("unblocked"))
        #expect(waitUntil(seconds: 5) { net.status(attacker, "nc -z -w 1 10.77.3.2 8080") == 0 })
        let again = try ProcessResult.run("/usr/sbin/ip", ["netns", "exec", gateway, RepositoryPaths.slipsdBinary,
                                                           "--unblock", "10.77.1.2", "-c", dir + "/test.yaml"])
        #expect((again.stdout + again.stderr).contains("not blocked"))

        // Alerts were written.
        let alerts = (try? String(contentsOfFile: dir + "/out/alerts/alerts.log", encoding: .utf8)) ?? ""
        #expect(alerts.contains("10.77.1.2"))

        // kill -9: the queue rule's bypass lets traffic pass with no process bound.
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        #expect(waitUntil(seconds: 5) { net.status(benign, "nc -z -w 1 10.77.3.2 8080") == 0 }, "traffic stopped after kill -9")
    }
}

/// Polls `condition` every 100 ms until it holds or `seconds` pass.
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(100_000)
    }
    return condition()
}
