import NetCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs commands (`ip`, `nft`, `iptables-nft`) for the kernel tests.
enum Shell {
    /// Result of a command.
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `arguments[0]` (looked up in /usr/sbin, /sbin, /usr/bin) and waits.
    @discardableResult
    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        let tool = arguments[0]
        let candidates = ["/usr/sbin/\(tool)", "/sbin/\(tool)", "/usr/bin/\(tool)", "/bin/\(tool)"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ShellError(message: "\(tool) not found")
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(arguments.dropFirst())
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a command and throws when it fails.
    @discardableResult
    static func must(_ arguments: [String]) throws -> Output {
        let output = try run(arguments)
        guard output.status == 0 else {
            throw ShellError(message: "\(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)")
        }
        return output
    }

    /// Runs a command inside a namespace (`ip netns exec`).
    @discardableResult
    static func inNamespace(_ namespace: String, _ arguments: [String]) throws -> Output {
        try run(["ip", "netns", "exec", namespace] + arguments)
    }
}

/// A failed shell command.
struct ShellError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Network namespaces joined by veth pairs, created for one test and removed by `destroy()` (also at the start
/// of the next run when a crash left them behind). Names start with `sdbk`.
///
/// Layout: `a` is the gateway under test. `b` is a peer on 10.61.1.0/24 and fd61:1::/64 (a = .1/::1, b = .2/::2).
/// With `withForwarding`, `c` is a second peer on 10.61.2.0/24 / fd61:2::/64 and `a` forwards between them.
final class Topology: Sendable {
    let tag: String
    let a: String
    let b: String
    let c: String?

    static let aToB4 = "10.61.1.1", b4 = "10.61.1.2", aToB6 = "fd61:1::1", b6 = "fd61:1::2"
    static let aToC4 = "10.61.2.1", c4 = "10.61.2.2", aToC6 = "fd61:2::1", c6 = "fd61:2::2"

    /// Creates the namespaces. `tag` is 1–4 characters, unique per test.
    init(tag: String, withForwarding: Bool = false) throws {
        self.tag = tag
        a = "sdbk-\(tag)-a"
        b = "sdbk-\(tag)-b"
        c = withForwarding ? "sdbk-\(tag)-c" : nil
        destroy()
        do {
            for ns in [a, b] + (c.map { [$0] } ?? []) {
                try Shell.must(["ip", "netns", "add", ns])
                try Shell.must(["ip", "-n", ns, "link", "set", "lo", "up"])
            }
            try link(a, "sdbk\(tag)ab", Topology.aToB4, Topology.aToB6, b, "sdbk\(tag)ba", Topology.b4, Topology.b6)
            if let c {
                try link(a, "sdbk\(tag)ac", Topology.aToC4, Topology.aToC6, c, "sdbk\(tag)ca", Topology.c4, Topology.c6)
                try Shell.must(["ip", "-n", b, "route", "add", "default", "via", Topology.aToB4])
                try Shell.must(["ip", "-n", b, "-6", "route", "add", "default", "via", Topology.aToB6])
                try Shell.must(["ip", "-n", c, "route", "add", "default", "via", Topology.aToC4])
                try Shell.must(["ip", "-n", c, "-6", "route", "add", "default", "via", Topology.aToC6])
                try Shell.must(["ip", "netns", "exec", a, "sh", "-c",
                                "echo 1 > /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv6/conf/all/forwarding"])
            }
        } catch {
            destroy()
            throw error
        }
    }

    private func link(_ left: String, _ leftIf: String, _ left4: String, _ left6: String,
                      _ right: String, _ rightIf: String, _ right4: String, _ right6: String) throws {
        try Shell.must(["ip", "link", "add", leftIf, "netns", left, "type", "veth", "peer", "name", rightIf,
                        "netns", right])
        for (ns, dev, v4, v6) in [(left, leftIf, left4, left6), (right, rightIf, right4, right6)] {
            try Shell.must(["ip", "-n", ns, "addr", "add", "\(v4)/24", "dev", dev])
            try Shell.must(["ip", "-n", ns, "-6", "addr", "add", "\(v6)/64", "dev", dev, "nodad"])
            try Shell.must(["ip", "-n", ns, "link", "set", dev, "up"])
        }
    }

    /// Deletes the namespaces (their veths go with them). Safe to call twice.
    func destroy() {
        for ns in [a, b, "sdbk-\(tag)-c"] {
            _ = try? Shell.run(["ip", "netns", "del", ns])
        }
    }
}

/// Runs `body` on a new thread that first joins the network namespace `/var/run/netns/<name>` with `setns`:
/// sockets opened there (netlink included) belong to that namespace.
func inNamespace<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do {
                try enterNamespace(name)
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.start()
    }
}

/// `setns(fd, CLONE_NEWNET)` for the calling thread. Glibc's Swift module hides `setns` (a _GNU_SOURCE
/// declaration), so it is looked up with `dlsym`.
func enterNamespace(_ name: String) throws {
    typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else { throw ShellError(message: "no setns") }
    let setns = unsafeBitCast(symbol, to: SetNS.self)
    let fd = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ShellError(message: "cannot open netns \(name): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let cloneNewNet: Int32 = 0x4000_0000
    guard setns(fd, cloneNewNet) == 0 else {
        throw ShellError(message: "setns \(name): \(String(cString: strerror(errno)))")
    }
}
