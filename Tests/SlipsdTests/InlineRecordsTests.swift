import Foundation
import NetCore
import Testing

/// The application analyzers inline: a client, a gateway running `slipsd --inline --no-block --zeek-logs -o DIR`,
/// and a server (dnsmasq, python's http.server, `openssl s_server`), in network namespaces this test creates.
/// A DNS query, an HTTP fetch and a TLS 1.2 and a TLS 1.3 handshake cross the gateway; after SIGTERM,
/// DIR/zeek/{dns,http,ssl}.log hold their lines with the right fields (dig's answer, curl's request and the
/// server's status, the SNI and the JA3 tshark computes from a capture of the same handshakes on the server).
@Suite("Inline records in Zeek logs", .serialized)
struct InlineRecordsTests {
    /// The JSON objects of a Zeek-style log, one per line.
    static func lines(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs a shell command to its end through `system(3)` (Foundation's `Process` did not see its children end
    /// here while background commands ran), its output through a file of its own; the exit status and output.
    static func sh(_ command: String) -> (status: Int32, output: String) {
        let path = NSTemporaryDirectory() + "irc-out-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let status = system("\(command) >\(quote(path)) 2>&1 </dev/null")
        let exit = status >= 0 && status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
        return (exit, (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// Starts a long-running command in a namespace in the background, not as a child of the test (the
    /// namespace's removal kills it); its signal mask cleared by perl (the test process blocks signals and
    /// children inherit the mask), so SIGTERM stops it. Returns its pid.
    static func background(_ namespace: String, _ arguments: [String], log: String = "/dev/null") throws -> pid_t {
        let pidFile = NSTemporaryDirectory() + "irc-pid-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let unmask = "sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die; exec @ARGV or die"
        let command = (["ip", "netns", "exec", namespace, "perl", "-MPOSIX", "-e", unmask, "--"] + arguments)
            .map(quote).joined(separator: " ")
        let status = system("\(command) </dev/null >\(quote(log)) 2>&1 & echo $! >\(quote(pidFile))")
        guard status == 0, let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw NamespaceError(command: command, output: "could not start")
        }
        return pid
    }

    /// Runs `command` in `namespace` (through `sh -c`).
    static func inside(_ namespace: String, _ command: String) -> (status: Int32, output: String) {
        sh("ip netns exec \(namespace) sh -c \(quote(command))")
    }

    @Test(.timeLimit(.minutes(3)))
    func dnsHTTPAndTLSCrossingTheGateway() throws {
        for tool in ["dnsmasq", "dig", "curl", "openssl", "python3", "tcpdump", "tshark"]
            where Self.sh("command -v \(tool)").status != 0 {
            try Test.cancel("\(tool) is not installed (make deps installs it)")
        }
        let net = NetworkNamespaces(tag: "irc")
        defer { net.removeAll() }
        let client = try net.add("cli"), gateway = try net.add("gw"), server = try net.add("srv")
        try net.link(client, "10.78.1.2/24", gateway, "10.78.1.1/24", index: 1)
        try net.link(gateway, "10.78.2.1/24", server, "10.78.2.2/24", index: 2)
        try net.exec(client, "ip route add default via 10.78.1.1")
        try net.exec(server, "ip route add default via 10.78.2.1")
        try net.exec(gateway, "sysctl -qw net.ipv4.ip_forward=1")

        let dir = NSTemporaryDirectory() + "slipsd-irc-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/run", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755, .ownerAccountID: 65534], ofItemAtPath: dir + "/run")
        try "<!DOCTYPE html><html><body>inline</body></html>\n".write(toFile: dir + "/www/index.html", atomically: true,
                                                                        encoding: .utf8)

        // The servers.
        _ = try Self.background(server, [
            "dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--user=root",
            "--listen-address=10.78.2.2", "--bind-interfaces", "--pid-file=\(dir)/dnsmasq.pid", "--local=/test.lan/",
            "--local-ttl=300", "--host-record=web.test.lan,10.1.2.3"])
        _ = try Self.background(server, ["python3", "-m", "http.server", "-b", "10.78.2.2", "-d", dir + "/www", "8080"])
        #expect(Self.sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout \(dir)/key.pem -out \(dir)/cert.pem -days 30 -subj /CN=tls.test.lan").status == 0)
        _ = try Self.background(server, ["openssl", "s_server", "-accept", "4433", "-cert", dir + "/cert.pem",
                                         "-key", dir + "/key.pem", "-www", "-quiet"])
        #expect(waitUntil(seconds: 10) {
            Self.inside(client, "dig @10.78.2.2 +tries=1 +time=1 +short web.test.lan A | grep -q 10.1.2.3").status == 0
                && Self.inside(client, "curl -s -o /dev/null --max-time 2 http://10.78.2.2:8080/").status == 0
                && Self.inside(client, "curl -k -s -o /dev/null --max-time 2 https://10.78.2.2:4433/").status == 0
        }, "the servers did not answer before slipsd ran")

        let config = """
        whitelists:
          enable_local_whitelist: false
        daemon:
          user: nobody
          control_socket: \(dir)/run/control.sock
        """
        try config.write(toFile: dir + "/test.yaml", atomically: true, encoding: .utf8)
        let daemon = try Self.background(gateway, InheritedDescriptorsAnchor.wrap(
            [RepositoryPaths.slipsdBinary, "--inline", "--no-block", "--queue", "9", "-c", dir + "/test.yaml",
             "-o", dir + "/out", "--zeek-logs"]), log: dir + "/daemon.log")
        defer { if kill(daemon, 0) == 0 { kill(daemon, SIGKILL) } }
        let daemonLog = { (try? String(contentsOfFile: dir + "/daemon.log", encoding: .utf8)) ?? "" }
        try #require(waitUntil(seconds: 20) { daemonLog().contains("ready") }, "slipsd did not become ready: \(daemonLog())")

        // The handshakes are also recorded on the server, for tshark's JA3.
        let capture = dir + "/tls.pcap"
        let tcpdump = try Self.background(server, ["tcpdump", "-Z", "root", "--immediate-mode", "-B", "32768", "-i", "v2b", "-U", "-n", "-c", "500",
                                                   "-w", capture, "tcp", "port", "4433"], log: dir + "/tcpdump.log")
        #expect(waitUntil(seconds: 10) {
            ((try? String(contentsOfFile: dir + "/tcpdump.log", encoding: .utf8)) ?? "").contains("listening")
        })

        let answer = Self.inside(client, "dig @10.78.2.2 +tries=1 +time=2 +short web.test.lan A")
        #expect(answer.output.trimmingCharacters(in: .whitespacesAndNewlines) == "10.1.2.3")
        #expect(Self.inside(client, "curl -s -o /dev/null --max-time 5 -A slipsd-inline/1 http://10.78.2.2:8080/index.html").status == 0)
        for version in ["--tlsv1.2 --tls-max 1.2", "--tlsv1.3"] {
            #expect(Self.inside(client, "curl -k -s -o /dev/null --max-time 5 \(version) --resolve tls.test.lan:4433:10.78.2.2 https://tls.test.lan:4433/").status == 0)
        }
        usleep(500_000)                                            // the last packets reach the queue and the file
        kill(tcpdump, SIGTERM)
        _ = waitUntil(seconds: 5) { kill(tcpdump, 0) != 0 }
        kill(daemon, SIGTERM)
        #expect(waitUntil(seconds: 15) { kill(daemon, 0) != 0 }, "slipsd did not stop on SIGTERM")

        let zeek = dir + "/out/zeek"
        let dns = Self.lines(zeek + "/dns.log").filter { $0["query"] as? String == "web.test.lan" }
        #expect(dns.count == 1, "dns.log: \(dns) — \(daemonLog())")
        if let line = dns.first {
            #expect(line["id.orig_h"] as? String == "10.78.1.2" && line["id.resp_h"] as? String == "10.78.2.2")
            #expect(line["qtype_name"] as? String == "A" && line["rcode_name"] as? String == "NOERROR")
            #expect(line["answers"] as? [String] == ["10.1.2.3"] && line["TTLs"] as? [Double] == [300])
        }
        let http = Self.lines(zeek + "/http.log").filter { $0["user_agent"] as? String == "slipsd-inline/1" }
        #expect(http.count == 1, "http.log: \(http)")
        if let line = http.first {
            #expect(line["id.orig_h"] as? String == "10.78.1.2" && line["id.resp_p"] as? Int == 8080)
            #expect(line["method"] as? String == "GET" && line["uri"] as? String == "/index.html")
            #expect(line["host"] as? String == "10.78.2.2:8080" && line["status_code"] as? Int == 200)
            #expect(line["resp_mime_types"] as? [String] == ["text/html"])
        }
        let ssl = Self.lines(zeek + "/ssl.log").filter { $0["server_name"] as? String == "tls.test.lan" }
        #expect(ssl.count == 2, "ssl.log: \(ssl)")
        #expect(Set(ssl.compactMap { $0["version"] as? String }) == ["TLSv12", "TLSv13"])
        #expect(ssl.allSatisfy { $0["established"] as? Bool == true && $0["id.orig_h"] as? String == "10.78.1.2" })
        let tshark = Self.sh("tshark -r \(capture) -d tcp.port==4433,tls -Y 'tls.handshake.type == 1' -T fields -e tls.handshake.ja3 2>/dev/null")
        let ja3 = Set(tshark.output.split(separator: "\n").map(String.init).filter { $0.count == 32 })
        #expect(!ja3.isEmpty && Set(ssl.compactMap { $0["ja3"] as? String }) == ja3, "tshark ja3 \(ja3): \(tshark.output) tcpdump: \((try? String(contentsOfFile: dir + "/tcpdump.log", encoding: .utf8)) ?? "")")
        let conns = Self.lines(zeek + "/conn.log")
        for service in ["dns", "http", "ssl"] {
            #expect(conns.contains { $0["service"] as? String == service && $0["id.orig_h"] as? String == "10.78.1.2" },
                    "no conn line with service \(service)")
        }
    }
}
