import Foundation
import NetCore
import Testing

/// Issue 8's attacks against `slipsd --inline` with default thresholds, in a namespace gateway (`DaemonLab`):
/// forged or provoked packets must not get an innocent host blocked, while the attacker's own scan still is.
@Suite("Attacks that must not turn slipsd against its users", .serialized)
struct AttackAcceptanceTests {
    /// 200 SYNs to 200 ports of the server, sent from the attacker's link with the benign client's address as
    /// source: the reverse-path check drops them in prerouting, so they never become evidence.
    @Test(.timeLimit(.minutes(3)))
    func spoofedScanDoesNotBlockTheClient() throws {
        let lab = try DaemonLab(tag: "sdd-sp")
        defer { lab.cleanUp() }
        let daemon = try lab.startWithDefaults()
        defer { kill(daemon.processIdentifier, SIGTERM) }
        #expect(lab.connects(from: lab.benign))

        let forged = try lab.forgeScan(claiming: DaemonLab.benignIP, of: DaemonLab.serverIP)
        defer { forged.terminate() }
        usleep(6_000_000)                            // the SYNs, then past the flow table's 3 s attempt report
        #expect(!lab.isBlocked(DaemonLab.benignIP), "the client was blocked by forged packets: \(lab.daemonLog)")
        #expect(lab.benignKeepsItsTraffic(), "the client lost its traffic")
        let rules = try lab.net.exec(lab.gateway, "nft list chain inet slipsd prerouting")
        #expect(rules.contains("fib saddr . iif oif 0"), "\(rules)")
        let packets = lab.ruleCounter(chain: "prerouting", containing: ["fib saddr", "ip saddr"])
        #expect(packets >= 100, "forged SYNs dropped by the reverse-path check: \(rules)")

        // The attacker's real scan from its own address is still stopped.
        let scan = try lab.scan(from: lab.attacker)
        defer { scan.terminate() }
        #expect(waitUntil(seconds: 15) { lab.isBlocked(DaemonLab.attackerIP) }, "\(lab.daemonLog)")
        #expect(!lab.isBlocked(DaemonLab.benignIP))
    }

    /// 40 SYN-ACKs from the attacker's own address to the client, which answers each with a RST as TCP
    /// requires: the client must not become the originator of "connections" that get it blocked.
    @Test(.timeLimit(.minutes(3)),
          .enabled(if: RawPacketScript.isAvailable, "needs python3 (raw sockets)"))
    func reflectedSynAcksDoNotBlockTheVictim() throws {
        let lab = try DaemonLab(tag: "sdd-rf")
        defer { lab.cleanUp() }
        let daemon = try lab.startWithDefaults()
        defer { kill(daemon.processIdentifier, SIGTERM) }
        #expect(lab.connects(from: lab.benign))

        let command = try RawPacketScript.write("""
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        for i in range(40):
            segment = tcp4('\(DaemonLab.attackerIP)', '\(DaemonLab.benignIP)', 443, 30000 + i, 1000 + i, 5000 + i, 0x12)
            sock.sendto(segment, ('\(DaemonLab.benignIP)', 0))
        """, to: lab.dir + "/synack.py")
        try lab.net.exec(lab.attacker, command)
        usleep(5_000_000)
        #expect(!lab.isBlocked(DaemonLab.benignIP), "the victim of reflected SYN-ACKs was blocked: \(lab.daemonLog)")
        #expect(lab.connects(from: lab.benign))
        // The client's own connections to the (private) server are Slips' INFO CONNECTION_TO_PRIVATE_IP, which
        // never adds to an alert; nothing at all may come from the reflected segments (toward the attacker).
        let alerts = lab.file("out/alerts/alerts.log")
        let aboutVictim = alerts.split(separator: "\n").filter { $0.contains("Src IP \(DaemonLab.benignIP) ") || $0.contains("Src IP \(DaemonLab.benignIP).") }
        #expect(aboutVictim.allSatisfy { $0.contains("Connecting to private IP") && !$0.contains(DaemonLab.attackerIP) },
                "\(alerts)")
    }
}

extension DaemonLab {
    /// Starts `slipsd --inline` with every default (thresholds, reverse-path check, block scopes) except the local
    /// whitelist, plus the lab's control socket and `extra` YAML.
    func startWithDefaults(_ extra: String = "") throws -> Process {
        let config = try writeConfig("""
        whitelists:
          enable_local_whitelist: false
        \(extra)
        """)
        return try startDaemon(["--inline", "--queue", "13", "-c", config, "-o", dir + "/out"])
    }

    /// The attacker claims `address` on its own link and connects from it to 200 ports (2000–2199) of `target`,
    /// in the background.
    func forgeScan(claiming address: String, of target: String) throws -> Process {
        try net.exec(attacker, "ip addr add \(address)/32 dev v1a")
        return try start(attacker,
            "for p in $(seq 2000 2199); do timeout 2 nc -z -w 1 -s \(address) \(target) $p & done; wait")
    }

    /// Waits up to 15 s for the daemon to log that it refused to block `address` (for `reason`, if given).
    func waitForRefusal(of address: String, because reason: String = "") -> Bool {
        waitUntil(seconds: 15) { self.daemonLog.contains("refusing to block \(address)" + (reason.isEmpty ? "" : ": \(reason)")) }
    }

    /// Whether `ip` is in the full-block set (`blocked4`): both directions of all its traffic dropped.
    func isFullyBlocked(_ ip: String) -> Bool {
        (try? net.exec(gateway, "nft list set inet slipsd blocked4"))?.contains(ip) ?? false
    }

    /// Whether the benign client keeps both directions of its traffic: it opens a new TCP connection to the
    /// server, and the server reaches it (ICMP echo).
    func benignKeepsItsTraffic() -> Bool {
        connects(from: benign) && net.status(server, "ping -c 2 -i 0.2 -W 1 \(Self.benignIP)") == 0
    }

    /// Packets counted by the first rule of `inet slipsd <chain>` whose text contains every one of `parts`.
    func ruleCounter(chain: String, containing parts: [String]) -> Int {
        let rules = (try? net.exec(gateway, "nft list chain inet slipsd \(chain)")) ?? ""
        guard let line = rules.split(separator: "\n").first(where: { line in parts.allSatisfy(line.contains) })
        else { return 0 }
        return line.split(separator: " ").drop { $0 != "packets" }.dropFirst().first.flatMap { Int($0) } ?? 0
    }
}
