import Foundation
import Testing

/// Issue 11's acceptance from packets, with real clients and servers in namespaces the tests create
/// (`AppTrafficLab`): each scenario is recorded with tcpdump, analysed with `slipsd -r` (which also writes Zeek
/// logs) and the evidence must be there in Slips' words; just below the threshold it must not. The same capture's
/// Zeek logs, read with `slipsd -f`, must give the same evidence lines (capture / Zeek-log parity). Skipped, with
/// the reason, when a tool is missing or namespaces cannot be made.
@Suite("App detections on real clients and servers", .serialized, .timeLimit(.minutes(3)))
struct AppDetectionsLiveTests {
    /// A lab, or a skip with the reason.
    static func lab(_ tag: String, tools: [String]) throws -> AppTrafficLab {
        if let missing = AppTrafficLab.missingTool(tools) {
            try Test.cancel("\(missing) is not installed (make deps installs it)")
        }
        try #require(FileManager.default.isExecutableFile(atPath: RepositoryPaths.slipsdBinary),
                     "slipsd is not built at \(RepositoryPaths.slipsdBinary)")
        guard DNSDetectionsLiveTests.run(["ip", "netns", "add", "\(tag)probe\(getpid() % 10000)"]).status == 0 else {
            try Test.cancel("cannot create a network namespace (not root?)")
        }
        _ = DNSDetectionsLiveTests.run(["ip", "netns", "del", "\(tag)probe\(getpid() % 10000)"])
        return try AppTrafficLab(tag: tag)
    }

    /// Both runs give the same evidence lines (those containing one of `words`), and at least one.
    static func expectParity(_ runs: (capture: [String], zeek: [String]), _ words: [String],
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let fromCapture = AppTrafficLab.evidenceSummary(runs.capture, containing: words)
        let fromZeek = AppTrafficLab.evidenceSummary(runs.zeek, containing: words)
        #expect(!fromCapture.isEmpty, "no evidence with \(words)", sourceLocation: sourceLocation)
        // Every evidence line, not only the detector's: the two inputs must agree on all of them.
        let all = (AppTrafficLab.evidenceSummary(runs.capture, containing: [""]),
                   AppTrafficLab.evidenceSummary(runs.zeek, containing: [""]))
        #expect(all.0 == all.1, "capture:\n\(all.0.joined(separator: "\n"))\nzeek logs:\n\(all.1.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
        let shown = "capture:\n\(fromCapture.joined(separator: "\n"))\nzeek logs:\n\(fromZeek.joined(separator: "\n"))"
        #expect(fromCapture == fromZeek, "\(shown)", sourceLocation: sourceLocation)
    }

    static func text(_ lines: [String]) -> String { lines.joined(separator: "\n") }

    /// Whether one line holds every one of `words`.
    static func runs(_ lines: [String], _ words: String...) -> Bool {
        lines.contains { line in words.allSatisfy(line.contains) }
    }

    // MARK: DNS

    @Test func twelveNonexistentNamesGiveDGAAndNineDoNot() throws {
        let lab = try Self.lab("appdga", tools: ["dnsmasq", "dig"])
        defer { lab.cleanUp() }
        try lab.start(lab.server, "dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --user=root "
                      + "--listen-address=\(AppTrafficLab.serverIP) --bind-interfaces --pid-file=\(lab.dir)/dnsmasq.pid "
                      + "--local=/test.lan/ --host-record=ok.test.lan,10.79.0.9", logName: "dnsmasq.err")
        let dig = "dig @\(AppTrafficLab.serverIP) +tries=1 +time=2 +short"
        #expect(DNSDetectionsLiveTests.wait(seconds: 10) { lab.runClient("\(dig) ok.test.lan").stdout.contains("10.79.0.9") },
                "dnsmasq did not answer: \(lab.file("dnsmasq.err"))")

        let twelve = try lab.record { #expect(lab.runClient(dig + (1...12).map { " gone\($0).test.lan" }.joined()).status == 0) }
        let nine = try lab.record { #expect(lab.runClient(dig + (1...9).map { " gone\($0).test.lan" }.joined()).status == 0) }
        let many = try lab.analyse(twelve), few = try lab.analyse(nine)
        #expect(Self.text(many.capture).contains(
            "Possible DGA or domain scanning. \(AppTrafficLab.clientIP) failed to resolve 10 different domains"),
                "\(Self.text(many.capture))")
        #expect(!Self.text(few.capture).contains("Possible DGA"), "\(Self.text(few.capture))")
        Self.expectParity(many, ["Possible DGA"])
        #expect(!Self.text(few.zeek).contains("Possible DGA"))
    }

    // MARK: HTTP

    @Test func curlFetchingAPEFileGivesExecutableMIMEType() throws {
        let lab = try Self.lab("apphttp", tools: ["python3", "curl", "nc"])
        defer { lab.cleanUp() }
        // A small PE file: the DOS header's `MZ`, e_lfanew at 0x3C pointing at `PE\0\0` and a COFF header.
        var bytes = [UInt8](repeating: 0, count: 1_024)
        bytes[0] = 0x4D; bytes[1] = 0x5A; bytes[0x3C] = 0x80
        bytes.replaceSubrange(0x80..<0x86, with: [0x50, 0x45, 0, 0, 0x4C, 0x01])
        try FileManager.default.createDirectory(atPath: lab.dir + "/www", withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: lab.dir + "/www/update.exe"))
        try lab.start(lab.server, "python3 -m http.server 80 --bind \(AppTrafficLab.serverIP) --directory \(lab.dir)/www",
                      logName: "http.err")
        try #require(lab.waitForTCP(80), "http.server did not listen: \(lab.file("http.err"))")

        let capture = try lab.record {
            let fetched = lab.runClient("curl -s -o /dev/null -w '%{http_code} %{size_download}' "
                                        + "http://\(AppTrafficLab.serverIP)/update.exe")
            #expect(fetched.stdout == "200 1024", "curl: \(fetched)")
        }
        let runs = try lab.analyse(capture)
        let text = Self.text(runs.capture)
        #expect(text.contains("Download of an executable with MIME type: ['application/x-dosexec'] by "
                              + "\(AppTrafficLab.clientIP) from \(AppTrafficLab.serverIP)."), "\(text)")
        Self.expectParity(runs, ["Download of an executable"])
    }

    // MARK: TLS

    @Test func openSSLServerWithASelfSignedCertificateGivesSelfSigned() throws {
        let lab = try Self.lab("apptls", tools: ["openssl", "curl", "nc"])
        defer { lab.cleanUp() }
        let key = lab.dir + "/key.pem", cert = lab.dir + "/cert.pem"
        let made = DNSDetectionsLiveTests.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                               "-out", cert, "-days", "1", "-subj", "/CN=selfsigned.test"])
        try #require(made.status == 0, "openssl req failed")
        try lab.start(lab.server, "openssl s_server -quiet -accept 443 -cert \(cert) -key \(key) -tls1_2 -www",
                      logName: "s_server.err")
        try #require(lab.waitForTCP(443), "s_server did not listen: \(lab.file("s_server.err"))")

        let capture = try lab.record {
            let fetched = lab.runClient("curl -sk --tls-max 1.2 --resolve selfsigned.test:443:\(AppTrafficLab.serverIP) "
                                        + "-o /dev/null -w '%{http_code}' https://selfsigned.test/")
            #expect(fetched.stdout == "200", "curl: \(fetched)")
        }
        let runs = try lab.analyse(capture)
        let text = Self.text(runs.capture)
        let words = "Self-signed certificate. Destination IP: \(AppTrafficLab.serverIP). SNI: selfsigned.test."
        #expect(text.components(separatedBy: words).count - 1 == 2, "client's and server's evidence: \(text)")
        let lines = runs.capture.filter { $0.contains(words) }
        #expect(lines.contains { $0.contains("Src IP \(AppTrafficLab.clientIP) ") }, "the client's profile: \(text)")
        #expect(lines.contains { $0.contains("Src IP \(AppTrafficLab.serverIP) ") }, "the server's profile: \(text)")
        Self.expectParity(runs, ["Self-signed certificate"])
    }

    // MARK: SMTP

    /// An SMTP server that offers AUTH PLAIN and refuses every login with Postfix's 535 words.
    static let smtpServer = """
    import socket, sys
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((sys.argv[1], 25))
    listener.listen(8)
    while True:
        connection, _ = listener.accept()
        connection.settimeout(10)
        stream = connection.makefile("rwb")
        def reply(text):
            stream.write(text.encode() + b"\\r\\n"); stream.flush()
        try:
            reply("220 mail.test ESMTP")
            for line in stream:
                verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                if verb in ("EHLO", "HELO"):
                    reply("250-mail.test"); reply("250 AUTH PLAIN")
                elif verb == "AUTH":
                    reply("535 5.7.8 Error: authentication failed: bad smtp-auth user")
                elif verb == "QUIT":
                    reply("221 2.0.0 Bye"); break
                else:
                    reply("502 5.5.2 Error: command not recognized")
        except OSError:
            pass
        finally:
            stream.close()                  # the file object holds the socket open: close both, so the server's
            connection.close()              # FIN ends the session at once
    """

    /// A client failing AUTH `count` times, one connection each, closed right after the refusal as brute-force
    /// tools do (after a QUIT the session's last reply would be the 221, as in Zeek's smtp.log, and Slips' rule
    /// would see no bad login).
    static func smtpClient(server: String, count: Int) -> String {
        """
        import smtplib
        for attempt in range(\(count)):
            client = smtplib.SMTP("\(server)", 25, timeout=5)
            client.ehlo("client.test")
            try:
                client.login("admin", "guess%d" % attempt)
            except smtplib.SMTPAuthenticationError:
                pass
            client.close()
        """
    }

    @Test func threeFailedSMTPLoginsGiveBruteForceAndTwoOnlyBadLogins() throws {
        let lab = try Self.lab("appsmtp", tools: ["python3", "nc"])
        defer { lab.cleanUp() }
        try Self.smtpServer.write(toFile: lab.dir + "/smtpd.py", atomically: true, encoding: .utf8)
        try lab.start(lab.server, "python3 \(lab.dir)/smtpd.py \(AppTrafficLab.serverIP)", logName: "smtpd.err")
        try #require(lab.waitForTCP(25), "SMTP server did not listen: \(lab.file("smtpd.err"))")
        for count in [2, 3] {
            try Self.smtpClient(server: AppTrafficLab.serverIP, count: count)
                .write(toFile: lab.dir + "/smtp\(count).py", atomically: true, encoding: .utf8)
        }
        let two = try lab.record { #expect(lab.runClient("python3 \(lab.dir)/smtp2.py").status == 0) }
        let three = try lab.record { #expect(lab.runClient("python3 \(lab.dir)/smtp3.py").status == 0) }
        let fewer = try lab.analyse(two), enough = try lab.analyse(three)
        let bad = "doing bad SMTP login to \(AppTrafficLab.serverIP)"
        let bruteForce = "doing SMTP login bruteforce to \(AppTrafficLab.serverIP). 3 logins in 10 seconds."
        #expect(Self.text(fewer.capture).components(separatedBy: bad).count - 1 == 2, "\(Self.text(fewer.capture))")
        #expect(!Self.text(fewer.capture).contains("bruteforce"))
        #expect(Self.text(enough.capture).components(separatedBy: bad).count - 1 == 3, "\(Self.text(enough.capture))")
        #expect(Self.text(enough.capture).contains(bruteForce), "\(Self.text(enough.capture))")
        Self.expectParity(enough, ["SMTP login"])
        Self.expectParity(fewer, ["SMTP login"])
    }

    // MARK: SSH

    @Test func sshLoginThatMovesDataGivesSSHSuccessful() throws {
        let lab = try Self.lab("appssh", tools: ["ssh", "ssh-keygen", "/usr/sbin/sshd", "nc"])
        defer { lab.cleanUp() }
        for key in ["hostkey", "id"] {
            try #require(DNSDetectionsLiveTests.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                                                     "\(lab.dir)/\(key)"]).status == 0, "ssh-keygen failed")
        }
        try FileManager.default.copyItem(atPath: lab.dir + "/id.pub", toPath: lab.dir + "/authorized_keys")
        try """
        ListenAddress \(AppTrafficLab.serverIP)
        HostKey \(lab.dir)/hostkey
        AuthorizedKeysFile \(lab.dir)/authorized_keys
        StrictModes no
        PermitRootLogin prohibit-password
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        PidFile \(lab.dir)/sshd.pid
        """.write(toFile: lab.dir + "/sshd_config", atomically: true, encoding: .utf8)
        // sshd's privilege-separation directory (Debian's service creates it at start).
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try lab.start(lab.server, "/usr/sbin/sshd -D -e -f \(lab.dir)/sshd_config", logName: "sshd.err")
        try #require(lab.waitForTCP(22), "sshd did not listen: \(lab.file("sshd.err"))")

        let capture = try lab.record {
            let session = lab.runClient("ssh -i \(lab.dir)/id -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                                        + "-o BatchMode=yes root@\(AppTrafficLab.serverIP) head -c 20000 /dev/zero | wc -c")
            #expect(session.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "20000", "ssh: \(session)")
        }
        let runs = try lab.analyse(capture)
        let text = Self.text(runs.capture)
        #expect(Self.runs(runs.capture, "Src IP \(AppTrafficLab.clientIP) ",
                          "SSH successful to IP \(AppTrafficLab.serverIP). From IP \(AppTrafficLab.clientIP). Sent bytes: "),
                "\(text)")
        Self.expectParity(runs, ["SSH successful"])
    }

    // MARK: DHCP

    /// A DHCP client asking, from its address, for `count` different addresses (one REQUEST each, with option 50)
    /// and reading whatever the server answers.
    static func dhcpClient(interface: String, first: String, count: Int) -> String {
        """
        import socket, struct, random, ipaddress
        mac = bytes.fromhex(open("/sys/class/net/\(interface)/address").read().strip().replace(":", ""))
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"\(interface)")
        sock.bind(("", 68))
        sock.settimeout(1)
        first = ipaddress.IPv4Address("\(first)")
        for index in range(\(count)):
            header = struct.pack("!BBBBIHH4s4s4s4s16s192s", 1, 1, 6, 0, random.getrandbits(32), 0, 0x8000,
                                 bytes(4), bytes(4), bytes(4), bytes(4), mac + bytes(10), bytes(192))
            options = bytes([53, 1, 3, 50, 4]) + (first + index).packed + bytes([55, 2, 1, 3, 255])
            sock.sendto(header + b"\\x63\\x82\\x53\\x63" + options, ("255.255.255.255", 67))
            try:
                sock.recvfrom(2048)
            except socket.timeout:
                pass
        """
    }

    @Test func aClientRequestingEightAddressesGivesDHCPScan() throws {
        let lab = try Self.lab("appdhcp", tools: ["dnsmasq", "python3"])
        defer { lab.cleanUp() }
        try lab.start(lab.server, "dnsmasq -k --conf-file=/dev/null --port=0 --no-resolv --no-hosts --user=root "
                      + "--interface=v1b --bind-interfaces --dhcp-authoritative --pid-file=\(lab.dir)/dnsmasq.pid "
                      + "--dhcp-leasefile=\(lab.dir)/leases --dhcp-range=10.79.0.100,10.79.0.200,255.255.255.0,1h --log-facility=-",
                      logName: "dnsmasq.err")
        #expect(DNSDetectionsLiveTests.wait(seconds: 10) { lab.file("dnsmasq.err").contains("DHCP") },
                "dnsmasq did not start its DHCP server: \(lab.file("dnsmasq.err"))")
        try Self.dhcpClient(interface: "v1a", first: "10.79.0.101", count: 8)
            .write(toFile: lab.dir + "/dhcp8.py", atomically: true, encoding: .utf8)
        try Self.dhcpClient(interface: "v1a", first: "10.79.0.101", count: 3)
            .write(toFile: lab.dir + "/dhcp3.py", atomically: true, encoding: .utf8)
        let eight = try lab.record { #expect(lab.runClient("python3 \(lab.dir)/dhcp8.py").status == 0) }
        let three = try lab.record { #expect(lab.runClient("python3 \(lab.dir)/dhcp3.py").status == 0) }
        let scan = try lab.analyse(eight), below = try lab.analyse(three)
        let text = Self.text(scan.capture)
        for count in [4, 8] {
            #expect(Self.runs(scan.capture, "Src IP \(AppTrafficLab.clientIP) ",
                         "Performing a DHCP scan by requesting \(count) different IP addresses."), "\(text)")
        }
        #expect(!Self.text(below.capture).contains("DHCP scan"), "\(Self.text(below.capture))")
        Self.expectParity(scan, ["DHCP scan"])
    }
}
