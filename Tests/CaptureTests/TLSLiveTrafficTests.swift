@testable import Capture
import Foundation
import NetCore
import Records
import Testing

/// Real TLS traffic: `openssl s_server` with a self-signed certificate the test makes (`openssl req`) inside a
/// network namespace, `curl` and `openssl s_client` clients over TLS 1.2 and 1.3, recorded with `tcpdump` on a
/// loopback whose MTU is lowered to 400 bytes so every ClientHello and the certificate span several segments.
/// The capture is read through `PcapFileSource` and the pipeline as `slipsd -r` does, and the ssl and x509
/// records are compared field by field with tshark's dissection of the same capture (SNI, JA3, JA3S, cipher,
/// version, certificate subject, SANs, serial) and with openssl's own view of the certificate. Then every
/// truncation of each recorded ClientHello, ServerHello and Certificate message is decoded without a trap.
@Suite("TLS analyzer on real openssl/curl traffic", .serialized, .timeLimit(.minutes(3)))
struct TLSLiveTrafficTests {
    typealias Shell = DNSLiveTrafficTests

    /// One client connection the test makes.
    struct Client {
        var name: String
        var port: UInt16
        var command: [String]
        var tls13: Bool
        var sni: String
    }

    /// What tshark says of one TCP connection (keyed by the client's port).
    struct Dissection {
        var sni = "", ja3 = "", ja3Full = "", ja3s = "", cipher = "", version = ""
        var subject: [String] = [], dnsNames: [String] = []
    }

    static func tshark(_ capture: String, filter: String, fields: [String]) throws -> [[String]] {
        let arguments = ["tshark", "-r", capture, "-d", "tcp.port==4433,tls", "-Y", filter, "-T", "fields",
                         "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"]
            + fields.flatMap { ["-e", $0] }
        return try Shell.run(arguments).stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test("curl and s_client over TLS 1.2 and 1.3: ssl and x509 records agree with tshark and openssl")
    func opensslAndCurl() throws {
        for tool in ["openssl", "curl", "tcpdump", "tshark", "ip"] where (try? Shell.run(["which", tool]))?.status != 0 {
            try Test.cancel("\(tool) is not installed (make deps installs openssl, curl, tcpdump, tshark)")
        }
        let namespace = "tlsl\(getpid() % 10000)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlslive-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try? Shell.run(["ip", "netns", "del", namespace])
        guard try Shell.run(["ip", "netns", "add", namespace]).status == 0 else {
            try Test.cancel("cannot create a network namespace (not root?)")
        }
        defer {
            _ = try? Shell.run(["sh", "-c", "ip netns pids \(namespace) | xargs -r kill -9; ip netns del \(namespace)"])
            try? FileManager.default.removeItem(atPath: directory)
        }
        let inside = ["ip", "netns", "exec", namespace]
        #expect(try Shell.run(inside + ["ip", "link", "set", "lo", "up", "mtu", "400"]).status == 0)

        // A self-signed certificate for tls.test.lan (and 127.0.0.1), made here.
        let key = "\(directory)/key.pem", cert = "\(directory)/cert.pem"
        try #require(try Shell.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                    "-out", cert, "-days", "30", "-subj", "/CN=tls.test.lan/O=slipsd test",
                                    "-addext", "subjectAltName=DNS:tls.test.lan,DNS:alt.test.lan,IP:127.0.0.1"]).status == 0)
        let opensslSubject = try Shell.run(["openssl", "x509", "-in", cert, "-noout", "-subject", "-nameopt", "RFC2253"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "subject=", with: "")
        let opensslSerial = try Shell.run(["openssl", "x509", "-in", cert, "-noout", "-serial"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        let derPath = "\(directory)/cert.der"
        #expect(try Shell.run(["openssl", "x509", "-in", cert, "-outform", "DER", "-out", derPath]).status == 0)
        let der = try [UInt8](Data(contentsOf: URL(fileURLWithPath: derPath)))

        let server = try Shell.start(inside + ["openssl", "s_server", "-accept", "4433", "-cert", cert, "-key", key,
                                               "-www", "-quiet"], stderr: "\(directory)/server.err")
        defer { Shell.stop(server) }
        let capture = "\(directory)/tls.pcap"
        let tcpdump = try Shell.start(inside + ["tcpdump", "-Z", "root", "--immediate-mode", "-B", "32768", "-i", "lo", "-U", "-n",
                                                "-c", "2000", "-w", capture, "tcp", "port", "4433"],
                                      stderr: "\(directory)/tcpdump.err")
        defer { Shell.stop(tcpdump) }
        try #require(Shell.wait(seconds: 10) {
            (try? String(contentsOfFile: "\(directory)/tcpdump.err", encoding: .utf8))?.contains("listening") == true
        }, "tcpdump did not start listening")
        let resolve = ["--resolve", "tls.test.lan:4433:127.0.0.1", "-k", "-s", "-o", "/dev/null", "--max-time", "5"]
        let clients = [
            Client(name: "curl TLS 1.2", port: 41_012, command: ["curl", "--tlsv1.2", "--tls-max", "1.2",
                   "--local-port", "41012"] + resolve + ["https://tls.test.lan:4433/"], tls13: false, sni: "tls.test.lan"),
            Client(name: "curl TLS 1.3", port: 41_013, command: ["curl", "--tlsv1.3", "--local-port", "41013"] + resolve
                   + ["https://tls.test.lan:4433/"], tls13: true, sni: "tls.test.lan"),
            Client(name: "s_client TLS 1.2", port: 0, command: ["sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 openssl s_client -connect 127.0.0.1:4433 -servername alt.test.lan -tls1_2 -ign_eof >/dev/null 2>&1"],
                   tls13: false, sni: "alt.test.lan"),
            Client(name: "s_client TLS 1.3", port: 0, command: ["sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 openssl s_client -connect 127.0.0.1:4433 -servername alt.test.lan -tls1_3 -ign_eof >/dev/null 2>&1"],
                   tls13: true, sni: "alt.test.lan"),
        ]
        // s_server accepts once it listens: the first client retries until it gets through.
        #expect(Shell.wait(seconds: 10) { (try? Shell.run(inside + ["curl", "-k", "-s", "-o", "/dev/null", "--max-time", "2",
                                                                    "https://127.0.0.1:4433/"]))?.status == 0 },
                "s_server did not answer")
        for client in clients {
            let result = try Shell.run(inside + client.command)
            #expect(result.status == 0, "\(client.name) failed")
        }
        var size = -1
        _ = Shell.wait(seconds: 5) {
            let now = (try? FileManager.default.attributesOfItem(atPath: capture)[.size] as? Int) ?? 0
            defer { size = now }
            return now > 24 && now == size
        }
        Shell.stop(tcpdump)

        let (records, statistics) = try LiveCaptureLab.records(capture)
        #expect(statistics.tlsMalformations.total == 0, "\(statistics.tlsMalformations.nonZero)")
        let ssl = records.compactMap { SSLRecord.from($0) }
        let x509 = records.compactMap { X509Record.from($0) }
        #expect(ssl.count == clients.count + 1)                         // the readiness probe is a connection too

        // tshark's view, by client port.
        var dissections: [UInt16: Dissection] = [:]
        for row in try Self.tshark(capture, filter: "tls.handshake.type == 1",
                                   fields: ["tcp.srcport", "tls.handshake.extensions_server_name", "tls.handshake.ja3",
                                            "tls.handshake.ja3_full"]) where row.count == 4 {
            guard let port = UInt16(row[0]) else { continue }
            dissections[port, default: Dissection()].sni = row[1]
            dissections[port, default: Dissection()].ja3 = row[2]
            dissections[port, default: Dissection()].ja3Full = row[3]
        }
        for row in try Self.tshark(capture, filter: "tls.handshake.type == 2",
                                   fields: ["tcp.dstport", "tls.handshake.ja3s", "tls.handshake.ciphersuite",
                                            "tls.handshake.extensions.supported_version", "tls.handshake.version"])
            where row.count == 5 {
            guard let port = UInt16(row[0]) else { continue }
            dissections[port, default: Dissection()].ja3s = row[1]
            dissections[port, default: Dissection()].cipher = row[2]
            dissections[port, default: Dissection()].version = row[3].isEmpty ? row[4] : row[3]
        }
        for row in try Self.tshark(capture, filter: "tls.handshake.type == 11",
                                   fields: ["tcp.dstport", "x509sat.uTF8String", "x509ce.dNSName"]) where row.count == 3 {
            guard let port = UInt16(row[0]) else { continue }
            dissections[port, default: Dissection()].subject = row[1].split(separator: ";").map(String.init)
            dissections[port, default: Dissection()].dnsNames = row[2].split(separator: ";").map(String.init)
        }
        #expect(dissections.count == ssl.count, "tshark saw \(dissections.count) handshakes")
        for record in ssl {
            let seen = try #require(dissections[record.id.originatorPort], "tshark has no handshake for \(record.id.originatorPort)")
            #expect(record.serverName == seen.sni)
            #expect(record.ja3 == seen.ja3, "ja3 text per tshark: \(seen.ja3Full)")
            #expect(record.ja3s == seen.ja3s)
            let cipher = UInt16(seen.cipher.dropFirst(2), radix: 16) ?? 0
            #expect(record.cipher == TLSNames.cipher(cipher), "tshark cipher \(seen.cipher)")
            let version = UInt16(seen.version.dropFirst(2), radix: 16) ?? 0
            #expect(record.version == TLSNames.version(version), "tshark version \(seen.version)")
            #expect(record.established, "\(record.id.originatorPort) not established")
            #expect(record.ja4.hasPrefix((version == 0x0304 ? "t13" : "t12") + (record.serverName.isEmpty ? "i" : "d")), "\(record.ja4)")
            if version == 0x0304 {
                #expect(record.certificateChain.isEmpty && seen.subject.isEmpty)    // encrypted in TLS 1.3: neither sees it
            } else {
                #expect(record.certificateChain.count == 1)
                #expect(record.validationStatus == "self signed certificate")
                #expect(record.subject == opensslSubject)
                #expect(seen.subject.contains("tls.test.lan"))
                let certificate = try #require(x509.first { $0.fileID == record.certificateChain.first && $0.uid == record.uid })
                #expect(certificate.sanDNS == seen.dnsNames)
                #expect(certificate.sanIP == [IPAddress("127.0.0.1")!])
                #expect(certificate.serial == opensslSerial)
                #expect(certificate.subject == opensslSubject && certificate.issuer == opensslSubject)
                #expect(certificate.keyType == "rsa" && certificate.keyLength == 2048 && certificate.version == 3)
                #expect(certificate.fileID == TLSCertificateReader.fingerprint(der))
                #expect(certificate.client == record.id.originator)
            }
        }
        #expect(Set(ssl.map(\.version)) == ["TLSv12", "TLSv13"])
        #expect(ssl.filter { $0.serverName == "alt.test.lan" }.count == 2)
        let conns = records.compactMap { ConnRecord.from($0) }
        #expect(conns.filter { $0.service == "ssl" }.count == ssl.count)

        try Self.truncations(capture)
    }

    /// Every prefix of each ClientHello, ServerHello and Certificate message in the capture: the parsers and
    /// swift-certificates answer with a value or a malformation, never a trap.
    static func truncations(_ capture: String) throws {
        let rows = try tshark(capture, filter: "tcp.len > 0", fields: ["tcp.stream", "tcp.srcport", "tcp.payload"])
        var streams: [String: [UInt8]] = [:]
        for row in rows where row.count == 3 {
            streams["\(row[0])/\(row[1] == "4433")", default: []] += TLSWire.hex(row[2].replacingOccurrences(of: ":", with: ""))
        }
        var messages: [(type: UInt8, body: [UInt8])] = []
        for (_, bytes) in streams {
            var handshake: [UInt8] = []
            var cursor = 0
            while cursor + 5 <= bytes.count {
                let length = Int(bytes[cursor + 3]) << 8 | Int(bytes[cursor + 4])
                guard cursor + 5 + length <= bytes.count else { break }
                if bytes[cursor] == 20 { break }                                   // the rest is encrypted
                if bytes[cursor] == 22 { handshake += bytes[(cursor + 5)..<(cursor + 5 + length)] }
                cursor += 5 + length
            }
            var at = 0
            while at + 4 <= handshake.count {
                let length = Int(handshake[at + 1]) << 16 | Int(handshake[at + 2]) << 8 | Int(handshake[at + 3])
                guard at + 4 + length <= handshake.count else { break }
                messages.append((handshake[at], Array(handshake[(at + 4)..<(at + 4 + length)])))
                at += 4 + length
            }
        }
        let kinds = Set(messages.map(\.type))
        #expect(kinds.isSuperset(of: [1, 2, 11]), "messages found: \(kinds.sorted())")
        var certificatesParsed = 0
        for message in messages where [1, 2, 11].contains(message.type) {
            for length in 0...message.body.count {
                let prefix = Array(message.body[..<length])
                prefix.withUnsafeBytes { bytes in
                    switch message.type {
                    case 1:
                        var hello = TLSClientHello()
                        _ = try? TLSHelloParser.parseClientHello(bytes, into: &hello)
                    case 2:
                        var hello = TLSServerHello()
                        _ = try? TLSHelloParser.parseServerHello(bytes, into: &hello)
                    default:
                        guard let entries = try? TLSCertificateReader.entries(bytes, limit: 8) else { return }
                        for entry in entries {
                            // The whole DER and every prefix of it go through swift-certificates.
                            for cut in stride(from: entry.lowerBound, through: entry.upperBound, by: 1) {
                                let der = UnsafeRawBufferPointer(rebasing: bytes[entry.lowerBound..<cut])
                                if TLSCertificateReader.parse(der, time: .zero, uid: FlowUID(0), client: .zeroIPv4) != nil {
                                    certificatesParsed += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        // Only the complete DER parses (once per Certificate message, at its full length).
        #expect(certificatesParsed == messages.filter { $0.type == 11 }.count)
    }
}
