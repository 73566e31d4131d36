import Foundation
import Testing

/// Two namespaces joined by one veth, made by the test and always removed: a client (10.79.0.2) and a server
/// (10.79.0.1). Real servers run in the server namespace, real clients in the client's; `record` captures the
/// client's side with tcpdump; `analyse` runs `slipsd -r` on the capture (writing Zeek logs too) and `slipsd -f`
/// on those logs, and returns the evidence lines of both runs' alerts.log. Processes go through
/// `DNSDetectionsLiveTests.start` (SIGTERM works) and are stopped by `cleanUp()`.
final class AppTrafficLab {
    let net: NetworkNamespaces
    let client: String, server: String
    let dir: String
    static let clientIP = "10.79.0.2", serverIP = "10.79.0.1"
    private var pids: [pid_t] = []
    private var captures = 0

    /// The tools every scenario needs; the first one missing, or nil.
    static func missingTool(_ extra: [String]) -> String? {
        (["ip", "tcpdump", "perl"] + extra).first { DNSDetectionsLiveTests.run(["which", $0]).status != 0 }
    }

    init(tag: String) throws {
        net = NetworkNamespaces(tag: tag)
        dir = NSTemporaryDirectory() + "slipsd-\(tag)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        client = try net.add("cli")
        server = try net.add("srv")
        try net.link(client, Self.clientIP + "/24", server, Self.serverIP + "/24", index: 1)
    }

    deinit { cleanUp() }

    /// Stops what was started, removes the namespaces and the directory.
    func cleanUp() {
        for pid in pids.reversed() { DNSDetectionsLiveTests.stop(pid) }
        pids.removeAll()
        net.removeAll()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Starts `sh -c command` in `namespace` in the background, its stderr in `dir/<logName>`; its pid.
    @discardableResult
    func start(_ namespace: String, _ command: String, logName: String) throws -> pid_t {
        let pid = try DNSDetectionsLiveTests.start(["ip", "netns", "exec", namespace, "sh", "-c", "exec " + command],
                                                   stderr: dir + "/" + logName)
        pids.append(pid)
        return pid
    }

    /// Runs `sh -c command` in the client namespace to its end; its exit status and standard output.
    func runClient(_ command: String) -> (status: Int32, stdout: String) {
        DNSDetectionsLiveTests.run(["ip", "netns", "exec", client, "sh", "-c", command])
    }

    /// Waits until a TCP port of the server accepts connections from the client.
    func waitForTCP(_ port: Int) -> Bool {
        DNSDetectionsLiveTests.wait(seconds: 10) { self.runClient("nc -z -w 1 \(Self.serverIP) \(port)").status == 0 }
    }

    /// A file of `dir`, or "" when absent.
    func file(_ name: String) -> String { (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "" }

    /// Records the client's veth while `traffic` runs; the capture's path.
    func record(_ traffic: () throws -> Void) throws -> String {
        captures += 1
        let path = "\(dir)/capture\(captures).pcap", log = "tcpdump\(captures).err"
        let tcpdump = try start(client, "tcpdump -Z root --immediate-mode -i v1a -U -n -w \(path)", logName: log)
        try #require(DNSDetectionsLiveTests.wait(seconds: 10) { self.file(log).contains("listening") },
                     "tcpdump did not start listening: \(file(log))")
        try traffic()
        var size = -1
        _ = DNSDetectionsLiveTests.wait(seconds: 5) {                 // the file stops growing, then tcpdump stops
            let now = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            defer { size = now }
            return now > 24 && now == size
        }
        DNSDetectionsLiveTests.stop(tcpdump)
        pids.removeAll { $0 == tcpdump }
        return path
    }

    /// The evidence lines of one run's alerts.log: the part after the timestamp (the description and what
    /// follows), with the first line naming the run's output when the run failed.
    private static func evidenceLines(_ arguments: [String], output: String) throws -> [String] {
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, arguments + ["-o", output])
        #expect(result.status == 0, "slipsd \(arguments): \(result.stderr)")
        let alerts = (try? String(contentsOfFile: output + "/alerts/alerts.log", encoding: .utf8)) ?? ""
        return alerts.split(separator: "\n").map(String.init)
    }

    /// `slipsd -r capture --zeek-logs`, then `slipsd -f <its zeek dir>`: both runs' alerts.log lines.
    func analyse(_ capture: String, config: String? = nil) throws -> (capture: [String], zeek: [String]) {
        let name = URL(fileURLWithPath: capture).deletingPathExtension().lastPathComponent
        let extra = config.map { ["-c", $0] } ?? []
        let fromCapture = try Self.evidenceLines(["-r", capture, "--zeek-logs"] + extra, output: "\(dir)/\(name)-r")
        let fromZeek = try Self.evidenceLines(["-f", "\(dir)/\(name)-r/zeek"] + extra, output: "\(dir)/\(name)-f")
        return (fromCapture, fromZeek)
    }

    /// The evidence lines among alerts.log `lines` that contain one of `words`, from their `(TW n): Src IP …
    /// Detected …` part on (the timestamp dropped), sorted: what a capture's run and its Zeek logs' run must share.
    static func evidenceSummary(_ lines: [String], containing words: [String]) -> [String] {
        lines.compactMap { line -> String? in
            guard line.contains(". Detected "), words.contains(where: line.contains),
                  let range = line.range(of: " (TW ") else { return nil }
            return String(line[range.lowerBound...])
        }.sorted()
    }
}
