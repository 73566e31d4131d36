import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A command run with a time bound: killed (SIGKILL) when it outlives `seconds`, so a client that hangs fails
/// its test instead of holding it.
struct TimedCommand {
    var status: Int32
    var output: String
    /// Wall time from start to exit (or to the kill), in seconds.
    var elapsed: Double
    var timedOut: Bool

    /// Runs `executable arguments…`, stdout and stderr together in `output`.
    static func run(_ executable: String, _ arguments: [String], seconds: Double) throws -> TimedCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let path = NSTemporaryDirectory() + "ct-timed-\(getpid())-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardOutput = handle
        process.standardError = handle
        let start = Date()
        try process.run()
        let exited = waitUntil(seconds: seconds) { !process.isRunning }
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            _ = waitUntil(seconds: 5) { !process.isRunning }
        }
        let elapsed = Date().timeIntervalSince(start)
        try? handle.close()
        let output = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return TimedCommand(status: exited ? process.terminationStatus : -1, output: output, elapsed: elapsed,
                            timedOut: !exited)
    }

    /// `slipsd arguments…` inside `namespace`, optionally as another user through
    /// `setpriv --reuid=U --regid=G --init-groups` (so the user's supplementary groups apply).
    static func slipsd(_ arguments: [String], namespace: String, asUser user: (name: String, group: String)? = nil,
                       seconds: Double) throws -> TimedCommand {
        let prefix = user.map { ["setpriv", "--reuid=\($0.name)", "--regid=\($0.group)", "--init-groups"] } ?? []
        return try run("/usr/sbin/ip", ["netns", "exec", namespace]
                           + InheritedDescriptorsAnchor.wrap(prefix + [RepositoryPaths.slipsdBinary] + arguments),
                       seconds: seconds)
    }
}

/// A test user and group made with useradd/groupadd and removed again (`removeAll`, also from `deinit`):
/// names carry the `ct` prefix and the process id.
final class ControlTestAccounts {
    private var users: [String] = []
    private var groups: [String] = []

    /// Creates a group and returns its name.
    func group(_ role: String) throws -> String {
        let name = "ct\(role)\(getpid() % 100000)"
        _ = try? NetworkNamespaces.sh("groupdel \(name) 2>/dev/null")
        try NetworkNamespaces.sh("groupadd \(name)")
        groups.append(name)
        return name
    }

    /// Creates a user whose primary group is `nogroup` and whose supplementary groups are `supplementary`.
    func user(_ role: String, supplementary: [String]) throws -> String {
        let name = "ct\(role)\(getpid() % 100000)"
        _ = try? NetworkNamespaces.sh("userdel \(name) 2>/dev/null")
        let extra = supplementary.isEmpty ? "" : "-G \(supplementary.joined(separator: ","))"
        try NetworkNamespaces.sh("useradd -M -N -g nogroup \(extra) -s /usr/sbin/nologin \(name)")
        users.append(name)
        return name
    }

    /// Removes every user, then every group, made here.
    func removeAll() {
        for user in users { _ = try? NetworkNamespaces.sh("userdel \(user)") }
        for group in groups { _ = try? NetworkNamespaces.sh("groupdel \(group)") }
        users.removeAll()
        groups.removeAll()
    }

    deinit { removeAll() }
}

/// A raw client connection to a Unix stream socket, for tests that hold the control socket open, dribble bytes
/// or send too much. Closed in `deinit`.
final class RawControlConnection: Sendable {
    let fd: Int32

    /// Connects to `path`; throws when the connection is refused.
    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes); raw[bytes.count] = 0 }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw NamespaceError(command: "connect \(path)", output: reason)
        }
    }

    deinit { close(fd) }

    /// Writes `bytes`; false when the server has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads until the server closes the connection or `seconds` pass; nil on timeout.
    func readToEnd(seconds: Double) -> [UInt8]? {
        let deadline = Date().addingTimeInterval(seconds)
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(left * 1000) + 1) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return reply }
            reply.append(contentsOf: buffer[0..<n])
        }
    }
}
