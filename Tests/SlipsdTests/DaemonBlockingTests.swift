import NetCore
import Testing
import Foundation

/// Blocking outside the plain inline path: `-i IFACE -p` on a veth, and `--inline --fail-closed` after
/// `kill -9`. In namespace labs (see `DaemonLab`).
@Suite("Daemon blocking", .serialized)
struct DaemonBlockingTests {
    /// `slipsd -i IFACE -p`: a scan seen on the interface blocks the scanner in the kernel (the configured
    /// table), `--list-blocked` (text and JSON) shows it, its packets stop, and the block outlives the run.
    @Test(.timeLimit(.minutes(3)))
    func liveCaptureWithBlockingBlocksTheScanner() throws {
        let lab = try DaemonLab(tag: "sdd-l")
        defer { lab.cleanUp() }
        let table = "sddlive"
        let config = try lab.writeConfig("""
        whitelists:
          enable_local_whitelist: false
        blocking:
          table: \(table)
          duration: 300
        """)
        let gatewayIP = "10.78.1.1"
        _ = try lab.start(lab.gateway, "while true; do nc -l -p 8081 -q 0 </dev/null >/dev/null 2>&1; done")
        #expect(waitUntil(seconds: 5) { lab.net.status(lab.attacker, "nc -z -w 1 \(gatewayIP) 8081") == 0 })
        let daemon = try lab.startDaemon(["-i", "v1b", "-p", "-c", config, "-o", lab.dir + "/out"],
                                         readyText: "capturing")
        let scan = try lab.scan(from: lab.attacker, target: gatewayIP)
        defer { scan.terminate() }
        try #require(waitUntil(seconds: 15) { lab.isBlocked(DaemonLab.attackerIP, table: table) },
                     "scanner not blocked in inet \(table): \(lab.daemonLog)")
        #expect(lab.net.status(lab.attacker, "nc -z -w 1 \(gatewayIP) 8081") != 0, "blocked scanner still connects")

        let listing = try lab.net.exec(lab.gateway, "\(RepositoryPaths.slipsdBinary) --list-blocked -c \(config)")
        #expect(listing.contains(DaemonLab.attackerIP), "\(listing)")
        #expect(listing.contains("SCAN"), "\(listing)")
        let json = try lab.net.exec(lab.gateway, "\(RepositoryPaths.slipsdBinary) --list-blocked --json -c \(config)")
        let rows = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        let row = rows.first { $0["ip"] as? String == DaemonLab.attackerIP }
        #expect(row != nil, "\(json)")
        #expect((row?["remaining_seconds"] as? Int).map { $0 > 200 && $0 <= 300 } == true, "\(json)")

        kill(daemon.processIdentifier, SIGINT)
        #expect(waitForExit(daemon, seconds: 15), "\(lab.daemonLog)")
        #expect(daemon.terminationStatus == 0, "\(lab.daemonLog)")
        #expect(lab.isBlocked(DaemonLab.attackerIP, table: table), "the block did not outlive the run")
    }

    /// `--fail-closed`: the steering rule has no bypass, so after `kill -9` forwarded traffic is dropped
    /// (fail-open, the default, is the last step of `InlineEndToEndTests`).
    @Test(.timeLimit(.minutes(2)))
    func failClosedDropsForwardedTrafficAfterKill() throws {
        let lab = try DaemonLab(tag: "sdd-c")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig("""
        whitelists:
          enable_local_whitelist: false
        """)
        let daemon = try lab.startDaemon(["--inline", "--queue", "13", "--fail-closed", "-c", config])
        #expect(lab.daemonLog.contains("without bypass"), "\(lab.daemonLog)")
        #expect(lab.daemonLog.contains("fail-closed"))
        #expect(lab.connects(from: lab.benign), "traffic does not pass while slipsd runs: \(lab.daemonLog)")

        kill(daemon.processIdentifier, SIGKILL)
        #expect(waitForExit(daemon, seconds: 10))
        #expect(!lab.connects(from: lab.benign, seconds: 1), "traffic passed with the daemon dead (fail-open)")
        #expect(lab.net.status(lab.benign, "ping -c 3 -i 0.2 -W 1 \(DaemonLab.serverIP)") != 0)
        // The gateway itself still answers: only forwarded (steered) traffic stops.
        #expect(lab.net.status(lab.benign, "ping -c 1 -W 1 10.78.2.1") == 0)
    }
}
