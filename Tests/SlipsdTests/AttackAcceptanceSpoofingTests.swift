import Foundation
import NetCore
import Testing

/// Issue 8's address-forging attacks against `slipsd --inline` with default thresholds (`DaemonLab`): the server's
/// address, the gateway's upstream learned after start, and an IPv4-mapped IPv6 source. None may get its victim
/// blocked; the victim keeps both directions of its traffic.
@Suite("Attacks: forged server, upstream and IPv4-mapped sources", .serialized)
struct AttackAcceptanceSpoofingTests {
    /// 200 SYNs to the client's ports with the server's address as source, from the attacker's link: before the
    /// reverse-path check this cut the server off for everyone.
    @Test(.timeLimit(.minutes(3)))
    func spoofedServerAddressDoesNotBlockTheServer() throws {
        let lab = try DaemonLab(tag: "sdd-ss")
        defer { lab.cleanUp() }
        let daemon = try lab.startWithDefaults()
        defer { kill(daemon.processIdentifier, SIGTERM) }
        #expect(lab.benignKeepsItsTraffic())

        let forged = try lab.forgeScan(claiming: DaemonLab.serverIP, of: DaemonLab.benignIP)
        defer { forged.terminate() }
        usleep(6_000_000)
        #expect(!lab.isBlocked(DaemonLab.serverIP), "the server was blocked by forged packets: \(lab.daemonLog)")
        #expect(lab.benignKeepsItsTraffic(), "the server lost its traffic")
        let dropped = lab.ruleCounter(chain: "prerouting", containing: ["fib saddr", "ip saddr"])
        #expect(dropped >= 100, "forged SYNs dropped by the reverse-path check: \(dropped)")
    }

    /// The gateway learns a default route via the server's namespace after start (as DHCP or PPPoE would); with
    /// the reverse-path check off, the attacker forges that upstream's address in a scan. Self-protection, kept up
    /// to date by the rtnetlink watcher, refuses the block.
    @Test(.timeLimit(.minutes(3)))
    func upstreamLearnedAfterStartIsNeverBlocked() throws {
        let lab = try DaemonLab(tag: "sdd-up")
        defer { lab.cleanUp() }
        let daemon = try lab.startWithDefaults("""
        blocking:
          reverse_path_check: false
        """)
        defer { kill(daemon.processIdentifier, SIGTERM) }
        try lab.net.exec(lab.gateway, "ip route add default via \(DaemonLab.serverIP)")
        usleep(500_000)

        let forged = try lab.forgeScan(claiming: DaemonLab.serverIP, of: DaemonLab.benignIP)
        defer { forged.terminate() }
        #expect(lab.waitForRefusal(of: DaemonLab.serverIP), "the forged scan's alert was refused: \(lab.daemonLog)")
        let prerouting = try lab.net.exec(lab.gateway, "nft list chain inet slipsd prerouting")
        #expect(!prerouting.contains("fib saddr"), "blocking.reverse_path_check: false is applied: \(prerouting)")
        #expect(!lab.isBlocked(DaemonLab.serverIP), "the gateway's upstream was blocked: \(lab.daemonLog)")
        #expect(lab.benignKeepsItsTraffic(), "the upstream lost its traffic")
    }

    /// The gateway's resolver (its `/etc/resolv.conf`, here the server's address through `ip netns exec`'s
    /// per-namespace resolv.conf) is forged in a scan with the reverse-path check off: the block is refused and the
    /// resolver keeps its traffic.
    @Test(.timeLimit(.minutes(3)))
    func resolverIsNeverBlocked() throws {
        let lab = try DaemonLab(tag: "sdd-rs")
        defer { lab.cleanUp() }
        let etc = "/etc/netns/\(lab.gateway)"
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: etc) }
        try "nameserver \(DaemonLab.serverIP)\n".write(toFile: etc + "/resolv.conf", atomically: true, encoding: .utf8)
        let daemon = try lab.startWithDefaults("""
        blocking:
          reverse_path_check: false
        """)
        defer { kill(daemon.processIdentifier, SIGTERM) }

        let forged = try lab.forgeScan(claiming: DaemonLab.serverIP, of: DaemonLab.benignIP)
        defer { forged.terminate() }
        #expect(lab.waitForRefusal(of: DaemonLab.serverIP, because: "it is a resolver"),
                "the forged scan's alert was refused: \(lab.daemonLog)")
        #expect(!lab.isBlocked(DaemonLab.serverIP), "the resolver was blocked: \(lab.daemonLog)")
        #expect(lab.benignKeepsItsTraffic(), "the resolver lost its traffic")
    }

    /// 200 TCP SYNs from `::ffff:10.78.2.2` (the benign client's IPv4 address, IPv4-mapped) to the server's IPv6
    /// address, as Ethernet frames on the attacker's link: before, they got the IPv4 host blocked in `blocked4`.
    @Test(.timeLimit(.minutes(3)), .enabled(if: RawPacketScript.isAvailable, "needs python3 (raw sockets)"))
    func mappedIPv6SourceDoesNotBlockTheIPv4Host() throws {
        let lab = try DaemonLab(tag: "sdd-m6")
        defer { lab.cleanUp() }
        try lab.net.exec(lab.gateway, """
            sysctl -qw net.ipv6.conf.all.forwarding=1; \
            ip -6 addr add fd78:1::1/64 dev v1b nodad; ip -6 addr add fd78:3::1/64 dev v3a nodad
            """)
        try lab.net.exec(lab.attacker, "ip -6 addr add fd78:1::2/64 dev v1a nodad")
        try lab.net.exec(lab.server, "ip -6 addr add fd78:3::2/64 dev v3b nodad; ip -6 route add default via fd78:3::1")
        let daemon = try lab.startWithDefaults()
        defer { kill(daemon.processIdentifier, SIGTERM) }
        let gatewayMAC = try lab.net.exec(lab.gateway, "cat /sys/class/net/v1b/address")
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let command = try RawPacketScript.write("""
        send = ethernet('v1a', '\(gatewayMAC)', 0x86dd)
        src, dst = '::ffff:\(DaemonLab.benignIP)', 'fd78:3::2'
        for port in range(2000, 2200):
            send(ipv6(src, dst, tcp6(src, dst, 40000, port, 7000 + port)))
        """, to: lab.dir + "/mapped.py")
        try lab.net.exec(lab.attacker, command)
        usleep(5_000_000)
        #expect(!lab.isBlocked(DaemonLab.benignIP), "the IPv4 host was blocked by mapped sources: \(lab.daemonLog)")
        #expect(lab.benignKeepsItsTraffic())
        let dropped = lab.ruleCounter(chain: "prerouting", containing: ["::ffff:0.0.0.0/96"])
        #expect(dropped >= 200, "mapped sources dropped in prerouting: \(dropped)")
        let alerts = lab.file("out/alerts/alerts.log")
        #expect(!alerts.contains(DaemonLab.benignIP), "\(alerts)")
    }
}
