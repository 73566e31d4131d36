import Foundation
import NetCore
import Testing
@testable import slipsd

/// systemd's watchdog: when slipsd pings (`WATCHDOG=1` only while its threads make progress), and what a hung
/// daemon costs the traffic through the gateway when systemd kills it (the test plays systemd).
@Suite("systemd watchdog", .serialized)
struct WatchdogTests {
    @Test("WATCHDOG_USEC and WATCHDOG_PID", arguments: [
        ("5000000", nil, Duration?.some(.seconds(5))), ("5000000", "", .seconds(5)), ("5000000", "4242", .seconds(5)),
        ("5000000", "4243", nil), ("0", nil, nil), ("", nil, nil), ("soon", nil, nil), (nil, "4242", nil),
    ] as [(String?, String?, Duration?)])
    func requestedTimeout(usec: String?, pid: String?, expected: Duration?) {
        #expect(SystemdWatchdog.requestedTimeout(usec: usec, pid: pid, ownPID: 4242) == expected)
    }

    @Test func livenessNeedsEveryPacketThreadAndTheDetectionThreadToMove() {
        var liveness = WatchdogLiveness()
        let idle = WatchdogLiveness.Detection(taken: 5, pending: 0)
        #expect(liveness.check(heartbeats: [(0, 10), (3, 20)], detection: idle) == nil)        // nothing to compare with yet
        #expect(liveness.check(heartbeats: [(0, 11), (3, 25)], detection: idle) == nil)
        let stuck = liveness.check(heartbeats: [(0, 11), (3, 26)], detection: idle)
        #expect(stuck == "the packet thread of queue 0 made no progress", "\(stuck ?? "nil")")
        #expect(liveness.check(heartbeats: [(0, 12), (3, 27)], detection: .init(taken: 5, pending: 40)) == nil)
        let detection = liveness.check(heartbeats: [(0, 13), (3, 28)], detection: .init(taken: 5, pending: 90))
        #expect(detection == "the detection thread took none of 90 waiting events", "\(detection ?? "nil")")
        #expect(liveness.check(heartbeats: [(0, 14), (3, 29)], detection: .init(taken: 6, pending: 10)) == nil)
        #expect(liveness.check(heartbeats: [(0, 15), (3, 30)], detection: .init(taken: 6, pending: 0)) == nil)
        let both = liveness.check(heartbeats: [(0, 15), (3, 30)], detection: .init(taken: 6, pending: 0))
        #expect(both == "the packet threads of queue 0, 3 made no progress", "\(both ?? "nil")")
    }

    /// The pings go through a real `$NOTIFY_SOCKET`, once per half period, and stop while a heartbeat stands still.
    @Test(.timeLimit(.minutes(1)))
    func pingsOnlyWhileHeartbeatsMove() throws {
        let listener = try WatchdogNotifySocket(path: NSTemporaryDirectory() + "sc-wd-\(getpid()).sock")
        defer { listener.stop() }
        let notifier = try #require(SystemdNotifier(environmentPath: listener.path))
        var watchdog = SystemdWatchdog(notifier: notifier, timeout: .milliseconds(400))
        #expect(watchdog.periodNanoseconds == 200_000_000)
        let idle = WatchdogLiveness.Detection(taken: 0, pending: 0)
        var beat: UInt64 = 0
        var lines: [String] = []
        let start = MonotonicClock.now()
        while MonotonicClock.now() - start < 1.1 {             // moving: about 5 checks, all but the first ping
            beat += 1
            if let line = watchdog.tick(heartbeats: [(7, beat)], detection: idle) { lines.append(line) }
            MonotonicClock.sleep(milliseconds: 20)
        }
        let moving = listener.watchdogPings.count
        #expect((4...6).contains(moving), "\(moving) pings in 1.1 s at a 0.2 s period")
        // Stuck from here: the first check still sees the progress made since the previous one (one more ping
        // at most), every later check sees none.
        var settled: Int?
        while MonotonicClock.now() - start < 2.2 {
            if let line = watchdog.tick(heartbeats: [(7, beat)], detection: idle) { lines.append(line) }
            if settled == nil, MonotonicClock.now() - start >= 1.35 { usleep(50_000); settled = listener.watchdogPings.count }
            MonotonicClock.sleep(milliseconds: 20)
        }
        usleep(150_000)
        #expect((settled ?? 0) <= moving + 1)
        #expect(listener.watchdogPings.count == settled, "pinged while the packet thread stood still")
        #expect(lines == ["systemd watchdog: not pinging: the packet thread of queue 7 made no progress"], "\(lines)")
    }

    /// The test plays systemd: NOTIFY_SOCKET and WATCHDOG_USEC (2 s); WATCHDOG=1 must arrive about every second
    /// while the daemon is healthy; then the daemon is stopped (SIGSTOP, a hang), the test waits until the pings
    /// have been missing for WATCHDOG_USEC and kills it (SIGKILL) as systemd would. A benign host pinging through
    /// the gateway every 0.1 s sees one gap, bounded by the watchdog, and traffic flows again (bypass).
    @Test(.timeLimit(.minutes(2)))
    func hungDaemonIsKilledAndTrafficResumes() throws {
        let lab = try DaemonLab(tag: "sc-w")
        defer { lab.cleanUp() }
        let listener = try WatchdogNotifySocket(path: lab.dir + "/notify.sock")
        defer { listener.stop() }
        let timeout = 2.0
        let config = try lab.writeConfig()
        let daemon = try lab.startDaemon(["--inline", "--queue", "23", "-c", config, "-o", lab.dir + "/out"],
                                         environment: ["NOTIFY_SOCKET": listener.path,
                                                       "WATCHDOG_USEC": String(Int(timeout * 1_000_000))])
        #expect(lab.daemonLog.contains("systemd watchdog on"), "\(lab.daemonLog)")
        try #require(waitUntil(seconds: 10) { listener.watchdogPings.count >= 4 },
                     "WATCHDOG=1 not arriving: \(listener.messages) \(lab.daemonLog)")
        #expect(listener.messages.first?.message.contains("READY=1") == true, "\(listener.messages)")
        let healthy = listener.watchdogPings
        let intervals = zip(healthy.dropFirst(), healthy).map { $0 - $1 }
        #expect(intervals.allSatisfy { $0 < timeout * 0.75 }, "pings too far apart: \(intervals)")

        let ping = try lab.start(lab.benign, "ping -D -n -i 0.1 -W 1 -w 12 \(DaemonLab.serverIP)", logName: "ping.log")
        try #require(waitUntil(seconds: 5) { lab.file("ping.log").components(separatedBy: "bytes from").count > 10 },
                     "no traffic through the gateway: \(lab.file("ping.log"))")
        // Hung right after a ping (every thread stops): the worst case, a whole WATCHDOG_USEC until the kill.
        let pinged = listener.watchdogPings.count
        try #require(waitUntil(seconds: timeout) { listener.watchdogPings.count > pinged }, "no ping to stop after")
        kill(daemon.processIdentifier, SIGSTOP)
        let stoppedAt = MonotonicClock.now()
        let pingsBefore = listener.watchdogPings.count
        let missed = waitUntil(seconds: timeout + 3) {
            MonotonicClock.now() - (listener.watchdogPings.last ?? stoppedAt) >= timeout
        }
        try #require(missed, "pings did not stop after SIGSTOP")
        #expect(listener.watchdogPings.count <= pingsBefore + 1, "pings while stopped")
        kill(daemon.processIdentifier, SIGKILL)                     // what systemd does at WatchdogSec
        let stall = MonotonicClock.now() - stoppedAt
        #expect(waitForExit(daemon, seconds: 5))
        #expect(waitUntil(seconds: 5) { lab.connects(from: lab.benign, seconds: 1) }, "traffic did not resume after the kill")
        #expect(waitForExit(ping, seconds: 20))

        let replies = Self.replyTimes(lab.file("ping.log"))
        let gaps = zip(replies.dropFirst(), replies).map { $0 - $1 }
        let worst = gaps.max() ?? 0
        print("watchdog: daemon stopped for \(String(format: "%.2f", stall)) s before the kill; worst gap in a "
              + "0.1 s ping through the gateway \(String(format: "%.2f", worst)) s; \(replies.count) replies")
        #expect(worst >= timeout * 0.75, "the stall did not hold traffic; the test proves nothing: \(gaps)")
        #expect(worst <= timeout + 1.0, "traffic stalled \(worst) s with WATCHDOG_USEC \(timeout) s")
        let afterGap = gaps.firstIndex(of: worst).map { replies.count - 1 - ($0 + 1) } ?? 0
        #expect(afterGap >= 5, "only \(afterGap) replies after the stall")
    }

    /// The `-D` timestamps of the echo replies in a ping log.
    static func replyTimes(_ log: String) -> [Double] {
        log.split(separator: "\n").compactMap { line -> Double? in
            guard line.contains("bytes from"), line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return nil }
            return Double(line[line.index(after: line.startIndex)..<close])
        }
    }
}
