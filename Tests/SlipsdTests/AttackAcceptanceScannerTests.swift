import Foundation
import NetCore
import Testing

/// Real scanners from their own address against `slipsd --inline` with default thresholds (`DaemonLab`): a SYN
/// scan in fragments is stopped like a whole one, and a TCP-connect scanner, which proves its address by
/// completing handshakes, is blocked fully.
@Suite("Attacks: real scanners are still stopped", .serialized)
struct AttackAcceptanceScannerTests {
    /// 200 SYNs to closed ports of the server, each split into an 8-byte first fragment (the ports and sequence
    /// number) and the rest: before, this reached the server with no evidence at all.
    @Test(.timeLimit(.minutes(3)), .enabled(if: RawPacketScript.isAvailable, "needs python3 (raw sockets)"))
    func fragmentedSynScanIsStopped() throws {
        let lab = try DaemonLab(tag: "sdd-fr")
        defer { lab.cleanUp() }
        let daemon = try lab.startWithDefaults()
        defer { kill(daemon.processIdentifier, SIGTERM) }

        let command = try RawPacketScript.write("""
        import time
        sock = raw4()
        src, dst = '\(DaemonLab.attackerIP)', '\(DaemonLab.serverIP)'
        for port in range(1000, 1200):
            segment = tcp4(src, dst, 40000, port, 7000 + port)
            sock.sendto(ipv4(src, dst, segment[:8], port, 0, True), (dst, 0))
            sock.sendto(ipv4(src, dst, segment[8:], port, 1, False), (dst, 0))
            time.sleep(0.005)
        """, to: lab.dir + "/fragments.py")
        let scan = try lab.start(lab.attacker, command)
        defer { scan.terminate() }
        #expect(waitUntil(seconds: 15) { lab.isBlocked(DaemonLab.attackerIP) }, "\(lab.daemonLog)")
        let alerts = lab.file("out/alerts/alerts.log")
        #expect(alerts.contains("new vertical port scan to IP \(DaemonLab.serverIP) from \(DaemonLab.attackerIP)."), "\(alerts)")
        #expect(lab.benignKeepsItsTraffic())
    }

    /// A TCP-connect scan (`nc -z`, which calls connect()) of 41 ports of a server with 8 of them open: the scanner
    /// completes the handshake on the open ones, which proves its address, so the block is full (both directions).
    @Test(.timeLimit(.minutes(3)))
    func connectScannerIsBlockedFully() throws {
        let lab = try DaemonLab(tag: "sdd-cs")
        defer { lab.cleanUp() }
        for port in 1000..<1008 {
            try lab.start(lab.server, "while true; do nc -l -p \(port) -q 0 </dev/null >/dev/null 2>&1; done")
        }
        let daemon = try lab.startWithDefaults()
        defer { kill(daemon.processIdentifier, SIGTERM) }
        usleep(300_000)
        let scan = try lab.scan(from: lab.attacker)
        defer { scan.terminate() }
        #expect(waitUntil(seconds: 20) { lab.isFullyBlocked(DaemonLab.attackerIP) }, "\(lab.daemonLog)")
        #expect(lab.daemonLog.contains("blocked \(DaemonLab.attackerIP)"), "\(lab.daemonLog)")
        #expect(lab.benignKeepsItsTraffic())
    }
}
