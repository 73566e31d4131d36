@testable import Capture
import Foundation
import NetCore
import Records
import Testing

/// Real HTTP traffic: `python3 -m http.server` (HTTP/1.1, keep-alive) serves files the test writes inside a
/// network namespace it creates, `curl` fetches them (two on one kept-alive connection, one with a Referer, a
/// missing one for a 404), `tcpdump` records it on a loopback with a 600-byte MTU (heads and bodies span
/// segments). The http and files records slipsd makes of the capture are compared field by field with tshark's
/// dissection (method, host, URI, version, user agent, referrer, status, content type, body length) and with
/// `md5sum`/`sha1sum`/`sha256sum` of the served files. Then every truncation of each recorded head goes through
/// the head parser without a trap.
@Suite("HTTP analyzer on real curl/python traffic", .serialized, .timeLimit(.minutes(2)))
struct HTTPLiveTrafficTests {
    typealias Shell = DNSLiveTrafficTests

    /// tshark's view of one transaction, keyed by client port and URI.
    struct Transaction {
        var method = "", host = "", version = "", userAgent = "", referrer = ""
        var status = "", contentType = "", contentLength = ""
    }

    @Test("curl against python's http.server: http and files records agree with tshark and the file hashes")
    func curlAgainstPython() throws {
        var lab = try LiveCaptureLab("htl", tools: ["python3", "curl", "md5sum", "sha1sum", "sha256sum"],
                                     package: "python3, curl, coreutils")
        defer { lab.close() }
        let inside = lab.inside()
        #expect(try LiveCaptureLab.run(inside + ["ip", "link", "set", "lo", "mtu", "600"]).status == 0)

        // The served files: sniffable types (HTML, PDF, text, ZIP) and one of random bytes (no MIME type).
        let root = "\(lab.directory)/www"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var random = SystemRandomNumberGenerator()
        let noise = (0..<5_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let files: [String: [UInt8]] = [
            "index.html": Array("<!DOCTYPE html><html><body><p>slipsd http test</p></body></html>\n".utf8),
            "doc.pdf": Array("%PDF-1.4\n".utf8) + Array(noise.prefix(3_000).map { 0x41 + $0 % 26 }) + [0x0A],
            "notes.txt": Array(String(repeating: "plain text notes\n", count: 120).utf8),
            "archive.zip": [0x50, 0x4B, 0x03, 0x04] + noise.prefix(2_000),
            "blob.bin": noise,
        ]
        for (name, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/\(name)"))
        }
        _ = try lab.start("server", inside + ["python3", "-m", "http.server", "-p", "HTTP/1.1", "-b", "127.0.0.1",
                                              "-d", root, "8080"])
        let base = "http://127.0.0.1:8080/"
        let curl = inside + ["curl", "-s", "-o", "/dev/null", "--max-time", "5"]
        try #require(Shell.wait(seconds: 10) { (try? LiveCaptureLab.run(curl + [base + "notes.txt"]))?.status == 0 },
                     "http.server did not answer")
        let recording = try lab.record("http", filter: ["tcp", "port", "8080"])
        let fetches: [[String]] = [
            ["-A", "slipsd-test/1.0", "--local-port", "42001", base + "index.html", base + "doc.pdf"],   // keep-alive
            ["-e", "http://referrer.test/page", "--local-port", "42002", base + "notes.txt"],
            ["--local-port", "42003", base + "archive.zip"],
            ["--local-port", "42004", base + "blob.bin"],
            ["--local-port", "42005", base + "missing.html"],
        ]
        for fetch in fetches {
            #expect(try LiveCaptureLab.run(curl + fetch).status == 0, "curl \(fetch)")
        }
        lab.finish(recording)

        let (records, statistics) = try LiveCaptureLab.records(recording.path)
        #expect(statistics.httpMalformations.total == 0, "\(statistics.httpMalformations.nonZero)")
        let http = records.compactMap { HTTPRecord.from($0) }
        let filesRecords = records.compactMap { FilesRecord.from($0) }
        #expect(http.count == 6, "\(http.map(\.uri))")

        // tshark's dissection, requests and responses, paired by client port and URI.
        let decode = ["tcp.port==8080,http"]
        var seen: [String: Transaction] = [:]
        for row in try LiveCaptureLab.tshark(recording.path, decode: decode, filter: "http.request",
                                             fields: ["tcp.srcport", "http.request.uri", "http.request.method", "http.host",
                                                      "http.request.version", "http.user_agent", "http.referer"]) {
            let key = "\(row[0]) \(row[1])"
            seen[key, default: Transaction()].method = row[2]
            seen[key, default: Transaction()].host = row[3]
            seen[key, default: Transaction()].version = row[4]
            seen[key, default: Transaction()].userAgent = row[5]
            seen[key, default: Transaction()].referrer = row[6]
        }
        for row in try LiveCaptureLab.tshark(recording.path, decode: decode, filter: "http.response",
                                             fields: ["tcp.dstport", "http.response_for.uri", "http.response.code",
                                                      "http.content_type", "http.content_length"]) {
            let uri = row[1].replacingOccurrences(of: "http://127.0.0.1:8080", with: "")
            let key = "\(row[0]) \(uri)"
            seen[key, default: Transaction()].status = row[2]
            seen[key, default: Transaction()].contentType = row[3]
            seen[key, default: Transaction()].contentLength = row[4]
        }
        #expect(seen.count == http.count, "tshark saw \(seen.keys.sorted())")
        var typesCompared = 0
        for record in http {
            let key = "\(record.id.originatorPort) \(record.uri)"
            let reference = try #require(seen[key], "tshark has no transaction \(key)")
            #expect(record.method == reference.method, "\(key)")
            #expect(record.host == reference.host, "\(key)")
            #expect("HTTP/" + record.version == reference.version, "\(key)")
            #expect(record.userAgent == reference.userAgent, "\(key)")
            #expect(record.referrer == reference.referrer, "\(key)")
            #expect(String(record.statusCode) == reference.status, "\(key)")
            #expect(String(record.responseBodyLength) == reference.contentLength, "\(key)")
            // Zeek's resp_mime_types is sniffed from the body; where the sniffer names a type it is the server's.
            if let sniffed = record.responseMIMETypes.first {
                #expect(sniffed == reference.contentType.split(separator: ";").first.map(String.init), "\(key)")
                typesCompared += 1
            }
        }
        #expect(typesCompared == 5, "html, pdf, text, zip and the 404 page are sniffed")
        #expect(http.first { $0.uri == "/blob.bin" }?.responseMIMETypes == [])
        let keptAlive = http.filter { $0.id.originatorPort == 42_001 }.sorted { $0.transDepth < $1.transDepth }
        #expect(keptAlive.map(\.uri) == ["/index.html", "/doc.pdf"] && keptAlive.map(\.transDepth) == [1, 2])
        #expect(Set(keptAlive.map(\.uid)).count == 1)
        #expect(http.first { $0.uri == "/missing.html" }?.statusCode == 404)

        // The files records: one per body, with the served file's hashes.
        #expect(filesRecords.count == http.count)
        for (name, bytes) in files {
            let record = try #require(http.first { $0.uri == "/" + name }, "no http record for \(name)")
            let file = try #require(filesRecords.first { record.responseFUIDs == [$0.fileID] }, "no files record for \(name)")
            let path = "\(root)/\(name)"
            for (tool, value) in [("md5sum", file.md5), ("sha1sum", file.sha1), ("sha256sum", file.sha256)] {
                let digest = try LiveCaptureLab.run([tool, path]).stdout.split(separator: " ").first.map(String.init)
                #expect(value == digest, "\(tool) of \(name)")
            }
            #expect(file.seenBytes == UInt64(bytes.count) && file.totalBytes == UInt64(bytes.count), "\(name)")
            #expect(file.source == "HTTP" && file.connectionUIDs == [record.uid])
            #expect(file.receivers == [IPAddress("127.0.0.1")!])
        }
        let conns = records.compactMap { ConnRecord.from($0) }
        #expect(conns.filter { $0.service == "http" }.count == fetches.count)

        try Self.truncations(recording.path)
    }

    /// Every prefix of each recorded request and response head: the head parser answers (a length and a head,
    /// nil, or a malformation), never traps, and only the whole head parses to the whole head's fields.
    static func truncations(_ capture: String) throws {
        var heads: [[UInt8]] = []
        for (_, bytes) in try LiveCaptureLab.streams(capture, serverPort: 8080) {
            var cursor = 0
            while cursor < bytes.count {
                let rest = Array(bytes[cursor...])
                let length = rest.withUnsafeBytes { HTTPHeadParser.headLength($0, limit: 8_192) }
                guard let length else { break }
                heads.append(Array(rest[..<length]))
                // Skip the body by its Content-Length (python's responses carry one, curl's requests have none).
                let head = String(decoding: rest[..<length], as: UTF8.self).lowercased()
                let body = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                cursor += length + body
            }
        }
        #expect(heads.count >= 12, "requests and responses found: \(heads.count)")
        for head in heads {
            let whole = try head.withUnsafeBytes { try HTTPHeadParser.parse($0, request: head.starts(with: Array("GET".utf8))) }
            for cut in 0...head.count {
                let prefix = Array(head[..<cut])
                prefix.withUnsafeBytes { bytes in
                    let found = HTTPHeadParser.headLength(bytes, limit: 8_192)
                    #expect(found == (cut == head.count ? head.count : nil), "cut \(cut) of \(head.count)")
                    for request in [true, false] {
                        _ = try? HTTPHeadParser.parse(bytes, request: request)
                    }
                }
            }
            #expect(!whole.version.isEmpty)
        }
    }
}
