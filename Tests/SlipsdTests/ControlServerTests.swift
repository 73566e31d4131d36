import Foundation
import Testing
@testable import slipsd
#if canImport(Glibc)
import Glibc
#endif

/// The control server in this process, on a socket in a temporary directory: the lock refuses a second
/// server, a full set of connections evicts the oldest, an idle connection is cut at its request deadline, and
/// `ControlClient` is answered meanwhile.
@Suite("Control server", .serialized)
struct ControlServerTests {
    /// A running server answering `status` with `ok`, and its directory.
    static func server() throws -> (ControlServer, String) {
        let dir = NSTemporaryDirectory() + "ct-server-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/control.sock"
        let server = try ControlServer(path: path, group: nil, lock: ControlSocketLock(socketPath: path))
        try server.start { _ in ControlResponse(ok: true) }
        return (server, dir)
    }

    @Test func aSecondLockOnTheSameSocketIsRefusedWithItsHolder() throws {
        let (server, dir) = try Self.server()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: SlipsdError.self) { try ControlSocketLock(socketPath: server.path) }
        do {
            _ = try ControlSocketLock(socketPath: server.path)
        } catch {
            #expect(error.description.contains("already serves it (pid \(getpid()) holds"), "\(error)")
        }
        #expect(FileManager.default.fileExists(atPath: server.path), "the refused lock touched the socket")
    }

    @Test(.timeLimit(.minutes(1)))
    func aFullServerEvictsTheOldestAndStillAnswers() throws {
        let (server, dir) = try Self.server()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let held = try (0..<ControlServer.maxConnections).map { _ in try RawControlConnection(path: server.path) }
        usleep(300_000)
        let start = Date()
        let answer = ControlClient.send(.status, to: server.path)
        #expect(answer == .success(ControlResponse(ok: true)), "\(answer)")
        #expect(Date().timeIntervalSince(start) < 1)
        let evicted = held[0].readToEnd(seconds: 1).map { String(decoding: $0, as: UTF8.self) } ?? "nothing"
        #expect(evicted.contains("busy"), "the oldest connection got \(evicted)")
    }

    @Test(.timeLimit(.minutes(1)))
    func anIdleConnectionIsCutAtItsDeadline() throws {
        let (server, dir) = try Self.server()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let start = Date()
        let idle = try RawControlConnection(path: server.path)
        let reply = idle.readToEnd(seconds: 5).map { String(decoding: $0, as: UTF8.self) } ?? "nothing in 5 s"
        let held = Date().timeIntervalSince(start)
        #expect(reply.contains("not complete within 2 s"), "\(reply)")
        #expect(held >= ControlServer.requestSeconds - 0.1 && held < ControlServer.requestSeconds + 1, "held \(held) s")
    }

    @Test func stopRemovesTheSocketFile() throws {
        let (server, dir) = try Self.server()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(FileManager.default.fileExists(atPath: server.path))
        #expect(server.stop() == nil)
        #expect(!FileManager.default.fileExists(atPath: server.path))
        #expect(ControlClient.send(.status, to: server.path) == .failure(.notRunning("No such file or directory")))
    }
}
