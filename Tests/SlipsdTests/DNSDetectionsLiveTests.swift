import Foundation
import Testing

/// Issue 11's acceptance from packets: inside a network namespace this test creates, dnsmasq serves a zone, `dig`
/// resolves 12 names that do not exist, looks up 12 reverse names in one go, fetches a high-entropy TXT record
/// and a name that resolves to a private address, `tcpdump` records it, and `slipsd -r` on the capture must give
/// DGA_NXDOMAINS, DNS_ARPA_SCAN, HIGH_ENTROPY_DNS_ANSWER and INVALID_DNS_RESOLUTION in Slips' words. Skipped, with
/// the reason, when a tool is missing or namespaces cannot be made.
@Suite("DNS detections on real dnsmasq traffic", .serialized, .timeLimit(.minutes(2)))
struct DNSDetectionsLiveTests {
    /// One shell word.
    static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs a command to its end through `system(3)`; its exit status and standard output.
    static func run(_ arguments: [String]) -> (status: Int32, stdout: String) {
        let path = NSTemporaryDirectory() + "dnsdet-live-out-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let status = system(arguments.map(quote).joined(separator: " ") + " >\(quote(path)) 2>/dev/null")
        let exit = status >= 0 && status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
        return (exit, (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// Starts a long-running command in the background (behind perl clearing the inherited signal mask, so that
    /// SIGTERM stops it); its pid.
    static func start(_ arguments: [String], stderr: String) throws -> pid_t {
        let unmask = "sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die; exec @ARGV or die"
        let command = (["perl", "-MPOSIX", "-e", unmask, "--"] + arguments).map(quote).joined(separator: " ")
        let pidFile = stderr + ".pid"
        let status = system("\(command) </dev/null >/dev/null 2>\(quote(stderr)) & echo $! >\(quote(pidFile))")
        guard status == 0, let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CocoaError(.fileReadUnknown)
        }
        return pid
    }

    /// SIGTERM, then SIGKILL after 3 s; waits until the process is gone.
    static func stop(_ pid: pid_t) {
        guard kill(pid, 0) == 0 else { return }
        kill(pid, SIGTERM)
        if !wait(seconds: 3, { kill(pid, 0) != 0 }) {
            kill(pid, SIGKILL)
            _ = wait(seconds: 3) { kill(pid, 0) != 0 }
        }
    }

    /// Polls `condition` every 20 ms for at most `seconds`.
    static func wait(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// 65 different characters: a TXT answer `TXT 65 <text>` of entropy above 5.
    static let highEntropyText = "Zq8xK2mP9vR4tY7wB3nL6cF1hJ5dG0sA_uE-oI8yT2rW4qZ7xN1mV3kC6bH9gD0fS"

    @Test func digAgainstDnsmasqGivesTheFourDNSDetections() throws {
        for tool in ["dnsmasq", "dig", "tcpdump", "ip", "perl"] where Self.run(["which", tool]).status != 0 {
            try Test.cancel("\(tool) is not installed (make deps installs dnsmasq-base, dnsutils, tcpdump)")
        }
        try #require(FileManager.default.isExecutableFile(atPath: RepositoryPaths.slipsdBinary),
                     "slipsd is not built at \(RepositoryPaths.slipsdBinary)")
        let namespace = "dnsdet\(getpid() % 10000)"
        let directory = NSTemporaryDirectory() + "dnsdet-live-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = Self.run(["ip", "netns", "del", namespace])
        guard Self.run(["ip", "netns", "add", namespace]).status == 0 else {
            try Test.cancel("cannot create a network namespace (not root?)")
        }
        defer {
            _ = Self.run(["sh", "-c", "ip netns pids \(namespace) | xargs -r kill -9; ip netns del \(namespace)"])
            try? FileManager.default.removeItem(atPath: directory)
        }
        let inside = ["ip", "netns", "exec", namespace]
        #expect(Self.run(inside + ["ip", "link", "set", "lo", "up"]).status == 0)
        let dnsmasq = try Self.start(inside + [
            "dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--user=root",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=\(directory)/dnsmasq.pid",
            "--local=/test.lan/", "--local=/2.0.192.in-addr.arpa/", "--host-record=bank.test.lan,10.9.8.7",
            "--txt-record=t.test.lan,\(Self.highEntropyText)",
        ], stderr: "\(directory)/dnsmasq.err")
        defer { Self.stop(dnsmasq) }
        let dig = inside + ["dig", "@127.0.0.1", "+tries=1", "+time=2", "+short"]
        #expect(Self.wait(seconds: 10) { Self.run(dig + ["bank.test.lan", "A"]).stdout.contains("10.9.8.7") },
                "dnsmasq did not answer")

        let capture = "\(directory)/dns.pcap"
        let tcpdump = try Self.start(inside + ["tcpdump", "-Z", "root", "--immediate-mode", "-B", "32768", "-i", "lo", "-U", "-n",
                                               "-w", capture, "port", "53"], stderr: "\(directory)/tcpdump.err")
        defer { Self.stop(tcpdump) }
        try #require(Self.wait(seconds: 10) {
            (try? String(contentsOfFile: "\(directory)/tcpdump.err", encoding: .utf8))?.contains("listening") == true
        }, "tcpdump did not start listening")

        #expect(Self.run(dig + (1...12).map { "missing\($0).test.lan" }).status == 0)
        #expect(Self.run(dig + (1...12).flatMap { ["-x", "192.0.2.\($0)"] }).status == 0)
        #expect(Self.run(dig + ["t.test.lan", "TXT"]).stdout.contains(Self.highEntropyText))
        #expect(Self.run(dig + ["bank.test.lan", "A"]).stdout.contains("10.9.8.7"))
        var (size, unchanged) = (-1, 0)
        _ = Self.wait(seconds: 5) {                    // the file stops growing for 200 ms, then tcpdump stops
            let now = (try? FileManager.default.attributesOfItem(atPath: capture)[.size] as? Int) ?? 0
            defer { size = now }
            unchanged = now == size ? unchanged + 1 : 0
            return now > 24 && unchanged >= 10
        }
        Self.stop(tcpdump)
        // tcpdump's statistics at exit: a burst that overflowed its ring would leave the capture short (with
        // whole-packet frames on lo its default 2 MB held a few dozen; `-B 32768` makes it 32 MB).
        let statistics = (try? String(contentsOfFile: "\(directory)/tcpdump.err", encoding: .utf8)) ?? ""
        #expect(statistics.split(separator: "\n").contains("0 packets dropped by kernel"), "tcpdump lost packets: \(statistics)")

        let output = directory + "/out"
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-r", capture, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        let alerts = (try? String(contentsOfFile: output + "/alerts/alerts.log", encoding: .utf8)) ?? ""
        for words in [
            "Possible DGA or domain scanning. 127.0.0.1 failed to resolve 10 different domains",
            "Doing DNS ARPA scan. Scanned 10 hosts within 2 seconds.",
            "A DNS TXT answer with high entropy. query: t.test.lan answer: \"TXT 65 \(Self.highEntropyText)\" entropy: 5.65 ",
            "Invalid DNS answer. The DNS query bank.test.lan was resolved to the private IP: 10.9.8.7",
        ] where !alerts.contains(words) {
            // What the capture held, so that a failure elsewhere (another dnsmasq or dig) can be told apart.
            let packets = Self.run(["tcpdump", "-n", "-r", capture]).stdout.split(separator: "\n").prefix(60)
            let versions = String(Self.run(["dnsmasq", "--version"]).stdout.prefix(40)) + "; "
                + Self.run(["sh", "-c", "dig -v 2>&1"]).stdout
            let message = "missing `\(words)` in:\n\(alerts.prefix(3000))\ncapture:\n"
                + packets.joined(separator: "\n") + "\nversions: " + versions + "\ntcpdump: " + statistics
            Issue.record(Comment(rawValue: message))
        }
    }
}
