import Foundation
import Testing

/// One slow or idle client cannot hold the control socket: 20 idle connections and one client that dribbles a
/// byte every 300 ms do not delay `slipsd --status` past 1 s; each of them is cut at its 2 s request deadline,
/// and a request line longer than the cap is refused without waiting for its end.
@Suite("Control socket fairness", .serialized)
struct ControlSocketFairnessTests {
    @Test(.timeLimit(.minutes(2)))
    func idleAndDribblingClientsDoNotDelayStatus() throws {
        let lab = try DaemonLab(tag: "ctf")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig()
        let socket = lab.dir + "/run/control.sock"
        let daemon = try lab.startDaemon(["--inline", "--queue", "33", "--no-block", "-c", config])
        let alone = try TimedCommand.slipsd(["--status", "-c", config], namespace: lab.gateway, seconds: 60)
        #expect(alone.status == 0, "\(alone.output)")

        let opened = Date()
        let idle = try (0..<20).map { _ in try RawControlConnection(path: socket) }
        let dribbler = try RawControlConnection(path: socket)
        // Never a newline: the thread ends when the daemon closes the connection or the bytes run out.
        let dribbling = Thread {
            for byte in Array(#"{"cmd":"status"        "#.utf8) {
                guard dribbler.send([byte]) else { return }
                usleep(300_000)
            }
        }
        dribbling.start()
        usleep(200_000)

        let held = try TimedCommand.slipsd(["--status", "-c", config], namespace: lab.gateway, seconds: 60)
        print("control socket: --status alone \(String(format: "%.3f", alone.elapsed)) s, with 20 idle + 1 dribbling connections \(String(format: "%.3f", held.elapsed)) s")
        #expect(held.status == 0 && held.output.contains("queues"), "\(held.output)")
        #expect(held.elapsed < 1.0, "--status took \(held.elapsed) s behind 20 idle and one dribbling client")

        // Each idle connection is answered and closed at its request deadline (2 s after it connected).
        let reply = idle[0].readToEnd(seconds: 5)
        let cut = Date().timeIntervalSince(opened)
        #expect(reply.map { String(decoding: $0, as: UTF8.self).contains("\"ok\":false") } == true,
                "an idle connection got \(reply.map { String(decoding: $0, as: UTF8.self) } ?? "no answer in 5 s")")
        #expect(cut < 4.0, "the idle connection was held \(cut) s")
        let dribbled = dribbler.readToEnd(seconds: 5)
        #expect(dribbled.map { String(decoding: $0, as: UTF8.self).contains("\"ok\":false") } == true,
                "the dribbling client was not cut at its deadline")
        kill(daemon.processIdentifier, SIGTERM)
        #expect(waitForExit(daemon, seconds: 15))
    }

    @Test(.timeLimit(.minutes(2)))
    func overlongRequestIsRefusedAtTheCap() throws {
        let lab = try DaemonLab(tag: "ctl")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig()
        let daemon = try lab.startDaemon(["--inline", "--queue", "34", "--no-block", "-c", config])
        let connection = try RawControlConnection(path: lab.dir + "/run/control.sock")
        let start = Date()
        connection.send([UInt8](repeating: UInt8(ascii: "x"), count: 8192))
        let reply = connection.readToEnd(seconds: 5).map { String(decoding: $0, as: UTF8.self) } ?? "no answer"
        #expect(reply.contains("longer than 4096"), "\(reply)")
        #expect(Date().timeIntervalSince(start) < 1.5, "refused only at the deadline, not at the cap")
        kill(daemon.processIdentifier, SIGTERM)
        #expect(waitForExit(daemon, seconds: 15))
    }
}
