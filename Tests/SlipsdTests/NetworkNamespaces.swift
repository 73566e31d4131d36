import NetCore
import Foundation

/// Network namespaces and veth links that a test creates for itself and always removes (also when it fails):
/// traffic stays inside them. Names carry a short tag and the process id so parallel runs never collide.
final class NetworkNamespaces {
    private(set) var names: [String] = []
    let tag: String

    init(tag: String) { self.tag = tag }

    /// A namespace name unique to this test run.
    func name(_ role: String) -> String { "\(tag)\(role)\(getpid() % 10000)" }

    /// Runs a command and throws with its output when it fails.
    @discardableResult
    static func sh(_ command: String) throws -> String {
        let result = try ProcessResult.run("/bin/sh", ["-c", command])
        guard result.status == 0 else {
            throw NamespaceError(command: command, output: result.stdout + result.stderr)
        }
        return result.stdout
    }

    /// Runs a command inside a namespace.
    @discardableResult
    func exec(_ namespace: String, _ command: String) throws -> String {
        try Self.sh("ip netns exec \(namespace) sh -c '\(command)'")
    }

    /// Runs a command inside a namespace and returns its exit status instead of throwing.
    func status(_ namespace: String, _ command: String) -> Int32 {
        (try? ProcessResult.run("/bin/sh", ["-c", "ip netns exec \(namespace) sh -c '\(command)'"]).status) ?? -1
    }

    /// Creates a namespace with loopback up.
    func add(_ role: String) throws -> String {
        let ns = name(role)
        try? Self.sh("ip netns del \(ns) 2>/dev/null")
        try Self.sh("ip netns add \(ns)")
        names.append(ns)
        try exec(ns, "ip link set lo up")
        return ns
    }

    /// Links two namespaces with a veth pair and addresses (CIDR notation) on each end.
    func link(_ a: String, _ addressA: String, _ b: String, _ addressB: String, index: Int) throws {
        let ifA = "v\(index)a", ifB = "v\(index)b"
        try Self.sh("ip link add \(ifA) netns \(a) type veth peer name \(ifB) netns \(b)")
        try exec(a, "ip addr add \(addressA) dev \(ifA) && ip link set \(ifA) up")
        try exec(b, "ip addr add \(addressB) dev \(ifB) && ip link set \(ifB) up")
    }

    /// Removes every namespace this object created (their veths go with them).
    func removeAll() {
        for ns in names.reversed() { _ = try? Self.sh("ip netns pids \(ns) | xargs -r kill -9; ip netns del \(ns)") }
        names.removeAll()
    }

    deinit { removeAll() }
}

struct NamespaceError: Error, CustomStringConvertible {
    var command: String
    var output: String
    var description: String { "`\(command)` failed: \(output)" }
}
