import Foundation
import Testing

/// Issue 11 inline: application evidence alone gets a host blocked by `slipsd --inline` on a gateway (`DaemonLab`,
/// 60 s windows, threshold 0.25 → 0.25). An attacker failing SMTP AUTH against a real server behind the gateway
/// (BAD_SMTP_LOGIN, high × 1, on a handshake-proven TCP session: one refusal already crosses the threshold) is
/// blocked fully (`blocked4`) — about 5 s after its sessions, when their flows end (the close linger) and the
/// analyzer writes their records;
/// a host resolving 20 nonexistent names (DGA_NXDOMAINS over UDP: nothing proves its address) only for the
/// connections it opens (`blocked_new4`, the verified-source rule); the benign client keeps working meanwhile.
@Suite("App detections inline", .serialized)
struct AppDetectionsInlineTests {
    /// Elements of one IPv4 set of the blocker's table in the gateway.
    static func set(_ lab: DaemonLab, _ name: String) -> String {
        (try? lab.net.exec(lab.gateway, "nft list set inet slipsd \(name)")) ?? ""
    }

    /// A gateway lab (skipped with the reason when a tool is missing) whose server runs the refusing SMTP server
    /// on port 25, reachable from the attacker; `smtp3.py` in its directory fails AUTH three times.
    static func smtpLab(_ tag: String, tools: [String] = []) throws -> DaemonLab {
        for tool in ["python3", "nc", "perl"] + tools where DNSDetectionsLiveTests.run(["which", tool]).status != 0 {
            try Test.cancel("\(tool) is not installed (make deps installs it)")
        }
        try #require(FileManager.default.isExecutableFile(atPath: RepositoryPaths.slipsdBinary),
                     "slipsd is not built at \(RepositoryPaths.slipsdBinary)")
        let lab = try DaemonLab(tag: tag)
        let server = DaemonLab.serverIP
        try AppDetectionsLiveTests.smtpServer.write(toFile: lab.dir + "/smtpd.py", atomically: true, encoding: .utf8)
        try AppDetectionsLiveTests.smtpClient(server: server, count: 3)
            .write(toFile: lab.dir + "/smtp3.py", atomically: true, encoding: .utf8)
        try lab.start(lab.server, "python3 \(lab.dir)/smtpd.py \(server)", logName: "smtpd.log")
        #expect(waitUntil(seconds: 10) { lab.net.status(lab.attacker, "nc -z -w 1 \(server) 25") == 0 },
                "SMTP server not reachable: \(lab.file("smtpd.log"))")
        return lab
    }

    @Test(.timeLimit(.minutes(3)))
    func refusedSMTPLoginBlocksFullyAndDGAPartly() throws {
        let lab = try Self.smtpLab("appil", tools: ["dnsmasq", "dig"])
        defer { lab.cleanUp() }
        let server = DaemonLab.serverIP
        try lab.start(lab.server, "dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --user=root "
                      + "--listen-address=\(server) --bind-interfaces --pid-file=\(lab.dir)/dnsmasq.pid "
                      + "--local=/test.lan/ --host-record=ok.test.lan,10.78.3.9", logName: "dnsmasq.log")
        let dig = "dig @\(server) +tries=1 +time=2 +short"
        #expect(waitUntil(seconds: 10) {
            (try? lab.net.exec(lab.benign, "\(dig) ok.test.lan"))?.contains("10.78.3.9") == true
        }, "dnsmasq not reachable: \(lab.file("dnsmasq.log"))")

        let config = try lab.writeConfig("""
        whitelists:
          enable_local_whitelist: false
        blocking:
          duration: 300
        """)
        let daemon = try lab.startDaemon(["--inline", "--queue", "41", "-c", config, "-o", lab.dir + "/out"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(lab.connects(from: lab.attacker) && lab.connects(from: lab.benign), "traffic does not pass: \(lab.daemonLog)")

        // Refused logins over proven TCP sessions: a full block.
        _ = try? lab.net.exec(lab.attacker, "python3 \(lab.dir)/smtp3.py")
        let sent = Date()
        try #require(waitUntil(seconds: 10) { Self.set(lab, "blocked4").contains(DaemonLab.attackerIP) },
                     "SMTP brute forcer not fully blocked: \(Self.set(lab, "blocked4")) \(lab.daemonLog)\n\(lab.file("out/alerts/alerts.log"))")
        print("SMTP brute forcer blocked \(Date().timeIntervalSince(sent)) s after its sessions")
        #expect(!lab.connects(from: lab.attacker, seconds: 1), "fully blocked attacker still connects")
        #expect(lab.connects(from: lab.benign), "the benign client lost its connections")
        #expect(!Self.set(lab, "blocked4").contains(DaemonLab.benignIP) && !Self.set(lab, "blocked_new4").contains(DaemonLab.benignIP))
        let listing = try lab.net.exec(lab.gateway, "\(RepositoryPaths.slipsdBinary) --list-blocked -c \(config)")
        #expect(listing.contains(DaemonLab.attackerIP) && listing.contains("SMTP"), "\(listing)")

        // Twenty NXDOMAINs (0.08 + 0.12 + 0.16 ≥ 0.25) over UDP: blocked for what it opens, not fully.
        _ = try? lab.net.exec(lab.benign, dig + (1...20).map { " gone\($0).test.lan" }.joined())
        try #require(waitUntil(seconds: 10) { Self.set(lab, "blocked_new4").contains(DaemonLab.benignIP) },
                     "DGA host not blocked: \(Self.set(lab, "blocked_new4")) \(lab.daemonLog)")
        #expect(!Self.set(lab, "blocked4").contains(DaemonLab.benignIP), "an unverified alert blocked fully")
        let alerts = lab.file("out/alerts/alerts.log")
        #expect(alerts.contains("doing bad SMTP login to \(server)"), "\(alerts)\n\(lab.daemonLog)")
        #expect(alerts.contains("Possible DGA or domain scanning. \(DaemonLab.benignIP) failed to resolve"), "\(alerts)")
        kill(daemon.processIdentifier, SIGINT)
        #expect(waitForExit(daemon, seconds: 15), "\(lab.daemonLog)")
    }

    /// With a threshold of 3.0 (0.3 × 600 s / 60) three refused logins (0.8 each, 2.4) do not alert; the brute
    /// force they make (SMTP_LOGIN_BRUTEFORCE, 0.8) does, and blocks the client fully: every one of its sessions
    /// was proven.
    @Test(.timeLimit(.minutes(3)))
    func smtpBruteForceCrossesTheThresholdAndBlocksFully() throws {
        let lab = try Self.smtpLab("appib")
        defer { lab.cleanUp() }
        let server = DaemonLab.serverIP
        let config = lab.dir + "/brute.yaml"
        try """
        parameters:
          time_window_width: 600
        detection:
          evidence_detection_threshold: 0.3
        whitelists:
          enable_local_whitelist: false
        blocking:
          duration: 300
        daemon:
          user: nobody
          control_socket: \(lab.dir)/run/control.sock
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try lab.startDaemon(["--inline", "--queue", "42", "-c", config, "-o", lab.dir + "/out"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        let attempts = lab.net.status(lab.attacker, "python3 \(lab.dir)/smtp3.py")
        #expect(attempts == 0, "the three sessions did not all run: \(lab.file("smtpd.log"))")
        let sent = Date()
        try #require(waitUntil(seconds: 10) { Self.set(lab, "blocked4").contains(DaemonLab.attackerIP) },
                     "SMTP brute forcer not fully blocked: \(Self.set(lab, "blocked4")) \(lab.daemonLog)\n\(lab.file("out/alerts/alerts.log"))")
        print("SMTP brute forcer blocked \(Date().timeIntervalSince(sent)) s after its sessions")
        #expect(!Self.set(lab, "blocked_new4").contains(DaemonLab.attackerIP))
        #expect(lab.daemonLog.contains("SMTP_LOGIN_BRUTEFORCE"), "the block's alert: \(lab.daemonLog)")
        #expect(!lab.connects(from: lab.attacker, seconds: 1), "fully blocked attacker still connects")
        #expect(lab.connects(from: lab.benign), "the benign client lost its connections")
        let alerts = lab.file("out/alerts/alerts.log")
        #expect(alerts.components(separatedBy: "doing bad SMTP login to \(server)").count - 1 == 3, "\(alerts)")
        #expect(alerts.contains("doing SMTP login bruteforce to \(server). 3 logins in 10 seconds."), "\(alerts)")
        kill(daemon.processIdentifier, SIGINT)
        #expect(waitForExit(daemon, seconds: 15), "\(lab.daemonLog)")
    }
}
