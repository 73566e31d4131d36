import Foundation
import NetCore
import Testing

/// Issue 8's attacks against `slipsd --inline` with default thresholds, in a namespace gateway (`DaemonLab`):
/// forged or provoked packets must not get an innocent host blocked, while the attacker's own scan still is.
@Suite("Attacks that must not turn slipsd against its users", .serialized)
struct AttackAcceptanceTests {
    /// The default configuration, plus the lab's control socket.
    func startDaemon(_ lab: DaemonLab) throws -> Process {
        let config = try lab.writeConfig("""
        whitelists:
          enable_local_whitelist: false
        """)
        return try lab.startDaemon(["--inline", "--queue", "13", "-c", config, "-o", lab.dir + "/out"])
    }

    /// 200 SYNs to 200 ports of the server, sent from the attacker's link with the benign client's address as
    /// source: the reverse-path check drops them in prerouting, so they never become evidence.
    @Test(.timeLimit(.minutes(3)))
    func spoofedScanDoesNotBlockTheClient() throws {
        let lab = try DaemonLab(tag: "sdd-sp")
        defer { lab.cleanUp() }
        let daemon = try startDaemon(lab)
        defer { kill(daemon.processIdentifier, SIGTERM) }
        #expect(lab.connects(from: lab.benign))

        // The attacker claims the client's address on its own link.
        try lab.net.exec(lab.attacker, "ip addr add \(DaemonLab.benignIP)/32 dev v1a")
        let forged = try lab.start(lab.attacker,
            "for p in $(seq 2000 2199); do timeout 2 nc -z -w 1 -s \(DaemonLab.benignIP) \(DaemonLab.serverIP) $p & done; wait")
        defer { forged.terminate() }
        usleep(6_000_000)                            // the SYNs, then past the flow table's 3 s attempt report
        #expect(!lab.isBlocked(DaemonLab.benignIP), "the client was blocked by forged packets: \(lab.daemonLog)")
        #expect(lab.connects(from: lab.benign), "the client lost its connections")
        let rules = try lab.net.exec(lab.gateway, "nft list chain inet slipsd prerouting")
        #expect(rules.contains("fib saddr . iif oif 0"), "\(rules)")
        let fibLine = rules.split(separator: "\n").first { $0.contains("fib saddr") && $0.contains("ip saddr") } ?? ""
        let packets = fibLine.split(separator: " ").drop { $0 != "packets" }.dropFirst().first.flatMap { Int($0) } ?? 0
        #expect(packets >= 100, "forged SYNs dropped by the reverse-path check: \(fibLine)")

        // The attacker's real scan from its own address is still stopped.
        let scan = try lab.scan(from: lab.attacker)
        defer { scan.terminate() }
        #expect(waitUntil(seconds: 15) { lab.isBlocked(DaemonLab.attackerIP) }, "\(lab.daemonLog)")
        #expect(!lab.isBlocked(DaemonLab.benignIP))
    }

    /// 40 SYN-ACKs from the attacker's own address to the client, which answers each with a RST as TCP
    /// requires: the client must not become the originator of "connections" that get it blocked.
    @Test(.timeLimit(.minutes(3)),
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3 (raw sockets)"))
    func reflectedSynAcksDoNotBlockTheVictim() throws {
        let lab = try DaemonLab(tag: "sdd-rf")
        defer { lab.cleanUp() }
        let daemon = try startDaemon(lab)
        defer { kill(daemon.processIdentifier, SIGTERM) }
        #expect(lab.connects(from: lab.benign))

        let script = lab.dir + "/synack.py"
        try """
        import socket, struct
        def checksum(data):
            if len(data) % 2: data += b'\\0'
            s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
            s = (s >> 16) + (s & 0xffff); s += s >> 16
            return ~s & 0xffff
        src, dst = '\(DaemonLab.attackerIP)', '\(DaemonLab.benignIP)'
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        for i in range(40):
            sport, dport = 443, 30000 + i
            header = struct.pack('!HHIIBBHHH', sport, dport, 1000 + i, 5000 + i, 5 << 4, 0x12, 65535, 0, 0)
            pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, 6, len(header))
            header = header[:16] + struct.pack('!H', checksum(pseudo + header)) + header[18:]
            sock.sendto(header, (dst, 0))
        """.write(toFile: script, atomically: true, encoding: .utf8)
        try lab.net.exec(lab.attacker, "python3 \(script)")
        usleep(5_000_000)
        #expect(!lab.isBlocked(DaemonLab.benignIP), "the victim of reflected SYN-ACKs was blocked: \(lab.daemonLog)")
        #expect(lab.connects(from: lab.benign))
        let alerts = lab.file("out/alerts.log")
        #expect(!alerts.contains("Src IP \(DaemonLab.benignIP)"), "\(alerts)")
    }
}
