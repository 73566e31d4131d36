import Capture
import Foundation
import NetCore
import Records
import Testing

/// Real DNS traffic: dnsmasq serves a small zone inside a network namespace this test creates, `dig` asks it
/// over UDP and TCP, `tcpdump` records the exchange, and the capture read through `PcapFileSource` and the
/// pipeline must yield DNS records whose names, types, rcodes, answers and TTLs are dig's.
@Suite("DNS analyzer on real dnsmasq traffic", .serialized, .timeLimit(.minutes(2)))
struct DNSLiveTrafficTests {
    /// A finished command: exit status and output.
    struct Output { var status: Int32; var stdout: String }

    /// One shell word.
    static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs a command to its end through `system(3)`, its output through a file. (Foundation's `Process`
    /// did not see its children end here while another child ran; `system` waits with `waitpid`.)
    static func run(_ arguments: [String]) throws -> Output {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dnslive-out-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let status = system(arguments.map(quote).joined(separator: " ") + " >\(quote(path)) 2>/dev/null")
        let exit = status >= 0 && status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
        return Output(status: exit, stdout: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// A long-running command in the background, known by its pid.
    struct Background { var pid: pid_t }

    /// Starts a long-running command with its stderr in a file. The test process blocks most signals and
    /// children inherit the mask, so the command runs behind perl (part of every Debian system) clearing it
    /// and exec-ing the command: the pid is the command's and SIGTERM stops it.
    static func start(_ arguments: [String], stderr: String) throws -> Background {
        let pidFile = stderr + ".pid"
        let unmask = "sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die; exec @ARGV or die"
        let command = (["perl", "-MPOSIX", "-e", unmask, "--"] + arguments).map(quote).joined(separator: " ")
        let status = system("\(command) </dev/null >/dev/null 2>\(quote(stderr)) & echo $! >\(quote(pidFile))")
        guard status == 0, let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CocoaError(.fileReadUnknown)
        }
        return Background(pid: pid)
    }

    /// Stops a background command with SIGTERM, then SIGKILL after `seconds`, and waits until it is gone.
    static func stop(_ process: Background, seconds: Double = 3) {
        guard kill(process.pid, 0) == 0 else { return }
        kill(process.pid, SIGTERM)
        if !wait(seconds: seconds, { kill(process.pid, 0) != 0 }) {
            kill(process.pid, SIGKILL)
            _ = wait(seconds: seconds) { kill(process.pid, 0) != 0 }
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

    /// One dig answer line: `name. ttl IN TYPE data`.
    struct DigAnswer: Equatable { var ttl: Double; var type: String; var data: String }

    static func digAnswers(_ text: String) -> [DigAnswer] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 5, !line.hasPrefix(";"), let ttl = Double(fields[1]) else { return nil }
            return DigAnswer(ttl: ttl, type: fields[3], data: fields[4...].joined(separator: " "))
        }
    }

    /// dig's data as Zeek's answers field writes it.
    static func zeekText(_ answer: DigAnswer) -> String {
        var data = answer.data
        if data.hasSuffix(".") { data.removeLast() }
        switch answer.type {
        case "MX": return String(data.split(separator: " ").last ?? "")
        case "TXT":
            let text = data.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return "TXT \(text.utf8.count) \(text)"
        default: return data
        }
    }

    @Test("dig's answers over UDP and TCP equal the dns records read from the capture")
    func digAgainstDnsmasq() throws {
        for tool in ["dnsmasq", "dig", "tcpdump", "ip"] where (try? Self.run(["which", tool]))?.status != 0 {
            try Test.cancel("\(tool) is not installed (make deps installs dnsmasq-base, dnsutils, tcpdump)")
        }
        let namespace = "dnsl\(getpid() % 10000)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dnslive-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try? Self.run(["ip", "netns", "del", namespace])
        guard try Self.run(["ip", "netns", "add", namespace]).status == 0 else {
            try Test.cancel("cannot create a network namespace (not root?)")
        }
        defer {
            _ = try? Self.run(["sh", "-c", "ip netns pids \(namespace) | xargs -r kill -9; ip netns del \(namespace)"])
            try? FileManager.default.removeItem(atPath: directory)
        }
        let inside = ["ip", "netns", "exec", namespace]
        #expect(try Self.run(inside + ["ip", "link", "set", "lo", "up"]).status == 0)
        let dnsmasq = try Self.start(inside + [
            "dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--user=root",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=\(directory)/dnsmasq.pid",
            "--local=/test.lan/", "--local-ttl=300",
            "--host-record=web.test.lan,10.1.2.3,2001:db8::3", "--cname=alias.test.lan,web.test.lan",
            "--mx-host=test.lan,mail.test.lan,10", "--txt-record=test.lan,hello dns",
        ], stderr: "\(directory)/dnsmasq.err")
        defer { Self.stop(dnsmasq) }
        let dig = inside + ["dig", "@127.0.0.1", "+tries=1", "+time=2", "+noall", "+answer", "+comments"]
        #expect(Self.wait(seconds: 10) { (try? Self.run(dig + ["web.test.lan", "A"]))?.stdout.contains("10.1.2.3") == true },
                "dnsmasq did not answer")

        let capture = "\(directory)/dns.pcap"
        let tcpdump = try Self.start(inside + ["tcpdump", "-Z", "root", "--immediate-mode", "-B", "32768", "-i", "lo", "-U", "-n", "-c", "200", "-w", capture, "port", "53"],
                                     stderr: "\(directory)/tcpdump.err")
        defer { Self.stop(tcpdump) }
        let listening = Self.wait(seconds: 10) {
            (try? String(contentsOfFile: "\(directory)/tcpdump.err", encoding: .utf8))?.contains("listening") == true
        }
        try #require(listening, "tcpdump did not start listening")

        let questions: [(name: String, type: String, tcp: Bool)] = [
            ("web.test.lan", "A", false), ("web.test.lan", "AAAA", false), ("alias.test.lan", "A", false),
            ("test.lan", "MX", false), ("test.lan", "TXT", false), ("missing.test.lan", "A", false),
            ("web.test.lan", "AAAA", true),
        ]
        var expected: [(name: String, type: String, tcp: Bool, answers: [DigAnswer], nxdomain: Bool)] = []
        for question in questions {
            let output = try Self.run(dig + (question.tcp ? ["+tcp"] : []) + [question.name, question.type])
            #expect(output.status == 0)
            expected.append((question.name, question.type, question.tcp, Self.digAnswers(output.stdout),
                             output.stdout.contains("status: NXDOMAIN")))
        }
        #expect(expected.first { $0.name == "missing.test.lan" }?.nxdomain == true)
        #expect(expected.first { $0.name == "alias.test.lan" }?.answers.map(\.type) == ["CNAME", "A"])
        // Every exchange written (immediate mode, packet-buffered): the file stops growing, then tcpdump stops.
        var size = -1
        _ = Self.wait(seconds: 5) {
            let now = (try? FileManager.default.attributesOfItem(atPath: capture)[.size] as? Int) ?? 0
            defer { size = now }
            return now > 24 && now == size
        }
        Self.stop(tcpdump)

        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let pipeline = try PacketPipeline(flowConfiguration: FlowTableConfiguration(maxFlows: 1_024), handoff: handoff,
                                          flushEagerly: false)
        let source = try PcapFileSource(path: capture)
        let summary = try source.run(handler: pipeline)
        #expect(summary.packets >= 2 * UInt64(questions.count))
        pipeline.finish()
        handoff.finish()
        var records: [Record] = []
        var batch: [RecordEvent] = []
        while handoff.take(into: &batch) {
            for case .record(let record) in batch { records.append(record) }
            batch.removeAll(keepingCapacity: true)
        }
        let dns = records.compactMap { DNSRecord.from($0) }
        #expect(dns.count == questions.count)
        #expect(pipeline.analyzerStatistics.dnsMalformations.total == 0)
        for question in expected {
            let found = dns.filter { $0.query == question.name && $0.qtypeName == question.type
                && $0.proto == (question.tcp ? .tcp : .udp) }
            let record = try #require(found.first, "no dns record for \(question.name) \(question.type)")
            #expect(found.count == 1)
            #expect(record.rcodeName == (question.nxdomain ? "NXDOMAIN" : "NOERROR"))
            #expect(record.answers == question.answers.map(Self.zeekText), "\(question.name) \(question.type)")
            #expect(record.TTLs == question.answers.map(\.ttl))
            #expect(record.rtt != nil && record.RD && record.RA && record.responderPort == 53)
        }
        let conns = records.compactMap { ConnRecord.from($0) }
        #expect(conns.count == questions.count && conns.allSatisfy { $0.service == "dns" })

        // tshark is a reference installed by `make deps`: without it the comparison fails rather than passing unseen.
        try #require((try? Self.run(["which", "tshark"]))?.status == 0, "tshark is missing: run make deps")
        let names = try Self.run(["tshark", "-r", capture, "-Y", "dns.flags.response == 0", "-T", "fields",
                                  "-e", "dns.qry.name"]).stdout.split(separator: "\n").map(String.init)
        #expect(Set(names) == Set(dns.map(\.query)))
    }
}
