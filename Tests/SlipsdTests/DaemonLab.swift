import NetCore
import Testing
import Foundation

/// A gateway lab for daemon tests, in namespaces named `<tag>…`: an attacker (10.78.1.2), a benign client
/// (10.78.2.2), a gateway (10.78.x.1) and a server (10.78.3.2) with one open port (8080). Runs `slipsd` in the
/// gateway with a configuration and files in its own temporary directory. `cleanUp()` (also from `deinit`)
/// kills what it started and removes the namespaces.
final class DaemonLab {
    let net: NetworkNamespaces
    let attacker: String, benign: String, gateway: String, server: String
    let dir: String
    static let attackerIP = "10.78.1.2", benignIP = "10.78.2.2", serverIP = "10.78.3.2"
    private var processes: [Process] = []

    init(tag: String) throws {
        net = NetworkNamespaces(tag: tag)
        dir = NSTemporaryDirectory() + "slipsd-\(tag)-\(getpid())"
        attacker = try net.add("att")
        benign = try net.add("ben")
        gateway = try net.add("gw")
        server = try net.add("srv")
        try net.link(attacker, "10.78.1.2/24", gateway, "10.78.1.1/24", index: 1)
        try net.link(benign, "10.78.2.2/24", gateway, "10.78.2.1/24", index: 2)
        try net.link(gateway, "10.78.3.1/24", server, "10.78.3.2/24", index: 3)
        try net.exec(attacker, "ip route add default via 10.78.1.1")
        try net.exec(benign, "ip route add default via 10.78.2.1")
        try net.exec(server, "ip route add default via 10.78.3.1")
        try net.exec(gateway, "sysctl -qw net.ipv4.ip_forward=1")
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Configuration and outputs in a directory only root can write (slipsd refuses others); the control
        // socket in `run/`, owned by the user the daemon drops to, which removes the socket at exit.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/run", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755, .ownerAccountID: 65534], ofItemAtPath: dir + "/run")
        _ = try start(server, "while true; do nc -l -p 8080 -q 0 </dev/null >/dev/null 2>&1 || nc -l 8080 </dev/null >/dev/null 2>&1; done")
    }

    deinit { cleanUp() }

    /// Kills every process started here (without waiting on Foundation's reaping, which can hang), removes the namespaces and the directory.
    func cleanUp() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        processes.removeAll()
        net.removeAll()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The test configuration: short windows, low threshold, the control socket in `dir`, plus `extra` YAML
    /// sections (appended verbatim).
    func writeConfig(_ extra: String = "", name: String = "test.yaml") throws -> String {
        let path = dir + "/" + name
        try """
        parameters:
          time_window_width: 60
        detection:
          evidence_detection_threshold: 0.25
        daemon:
          user: nobody
          control_socket: \(dir)/run/control.sock
        \(extra)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `sh -c command` inside `namespace`, output to `dir/<logName>` (or discarded).
    @discardableResult
    func start(_ namespace: String, _ command: String, logName: String? = nil) throws -> Process {
        try launch(["netns", "exec", namespace, "sh", "-c", command], logName: logName)
    }

    /// Starts `slipsd arguments…` in the gateway (or `namespace`), its stdout and stderr in `dir/daemon.log`,
    /// and waits until it logs `ready` (or `capturing` for `-i`). `environment` adds variables to the daemon's
    /// (e.g. `NOTIFY_SOCKET` and `WATCHDOG_USEC`, as systemd would set them).
    func startDaemon(_ arguments: [String], namespace: String? = nil, readyText: String = "ready",
                     environment: [String: String] = [:]) throws -> Process {
        // Through the anchor: slipsd closes inherited descriptors, which Foundation's Process would take for an exit.
        let daemon = try launch(["netns", "exec", namespace ?? gateway]
                                    + InheritedDescriptorsAnchor.wrap([RepositoryPaths.slipsdBinary] + arguments),
                                logName: "daemon.log", environment: environment)
        let ready = waitUntil(seconds: 20) { self.daemonLog.contains(readyText) || !daemon.isRunning }
        try #require(ready && daemon.isRunning, "slipsd did not become ready: \(daemonLog)")
        return daemon
    }

    private func launch(_ arguments: [String], logName: String?, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        }
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        if let logName {
            let path = dir + "/" + logName
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        processes.append(process)
        return process
    }

    /// Packets the gateway's conntrack dropped because their new entry clashed with one confirmed first
    /// (`insert_failed`, summed over CPUs, from `/proc/net/stat/nf_conntrack` in the gateway's namespace).
    func conntrackInsertFailures() -> Int {
        guard let text = try? net.exec(gateway, "cat /proc/net/stat/nf_conntrack") else { return 0 }
        var lines = text.split(separator: "\n")
        guard let header = lines.first?.split(whereSeparator: { $0 == " " }),
              let column = header.firstIndex(of: "insert_failed") else { return 0 }
        lines.removeFirst()
        return lines.reduce(0) { total, line in
            let fields = line.split(whereSeparator: { $0 == " " })
            return total + (column < fields.count ? Int(fields[column], radix: 16) ?? 0 : 0)
        }
    }

    /// The daemon's stdout and stderr so far.
    var daemonLog: String { file("daemon.log") }

    /// A file of `dir`, or "" when absent.
    func file(_ name: String) -> String { (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "" }

    /// Scans 41 closed ports of `target` (default: the server) from `namespace` (a vertical port scan), in the
    /// background.
    func scan(from namespace: String, target: String = DaemonLab.serverIP) throws -> Process {
        try start(namespace, "for p in $(seq 1000 1040); do nc -z -w 1 \(target) $p; done")
    }

    /// True when `ip` is an element of `inet <table> blocked4` in `namespace` (default: the gateway).
    /// Whether `ip` is in one of the blocker's IPv4 sets: blocked fully (`blocked4`) or only for the connections
    /// it opens (`blocked_new4`, for alerts whose evidence no handshake verifies, such as scans).
    func isBlocked(_ ip: String, table: String = "slipsd", namespace: String? = nil) -> Bool {
        ["blocked4", "blocked_new4"].contains { set in
            (try? net.exec(namespace ?? gateway, "nft list set inet \(table) \(set)"))?.contains(ip) ?? false
        }
    }

    /// Whether a TCP connection from `namespace` to the server's open port succeeds within `seconds`.
    func connects(from namespace: String, seconds: Int = 2) -> Bool {
        net.status(namespace, "nc -z -w \(seconds) \(Self.serverIP) 8080") == 0
    }

    /// Packets sent and received by a finished `ping` whose output is in `dir/<logName>`.
    func pingCounts(_ logName: String) -> (sent: Int, received: Int)? {
        let text = file(logName)
        guard let line = text.split(separator: "\n").first(where: { $0.contains("packets transmitted") }) else { return nil }
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        return (numbers[0], numbers[1])
    }
}

/// Waits until `process` exits or `seconds` pass; true when it exited.
func waitForExit(_ process: Process, seconds: Double) -> Bool {
    waitUntil(seconds: seconds) { !process.isRunning }
}
