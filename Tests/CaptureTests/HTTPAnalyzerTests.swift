@testable import Capture
import Crypto
import NetCore
import Records
import Testing
import TestSupport

/// The HTTP analyzer on the packet path: pipelined requests paired with their responses, Content-Length and
/// chunked bodies across segments, MIME sniffing, hashes of the bodies, bounds and malformations.
@Suite("HTTP analyzer")
struct HTTPAnalyzerTests {
    static let fox = Array("The quick brown fox jumps over the lazy dog".utf8)
    static let pe: [UInt8] = [0x4D, 0x5A, 0x90, 0x00] + Array(repeating: 0x41, count: 3_000)
    static let html = Array("<!DOCTYPE html>\n<html><body>hello</body></html>\n".utf8)

    static func request(_ target: String, method: String = "GET", extra: String = "") -> [UInt8] {
        Array("\(method) \(target) HTTP/1.1\r\nHost: files.example\r\nUser-Agent: curl/8.5.0\r\nReferer: http://ref.example/\r\n\(extra)\r\n".utf8)
    }

    static func response(_ body: [UInt8], status: String = "200 OK", type: String = "application/octet-stream")
        -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    static func chunked(_ body: [UInt8], chunk: Int) -> [UInt8] {
        var out = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var index = 0
        while index < body.count {
            let part = body[index..<min(index + chunk, body.count)]
            out += Array((String(part.count, radix: 16) + ";ext=1\r\n").utf8) + part + Array("\r\n".utf8)
            index += chunk
        }
        return out + Array("0\r\nX-Trailer: yes\r\n\r\n".utf8)
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    @Test("two pipelined requests, a Content-Length PE body over segments and a chunked HTML body: paired in order")
    func pipelined() throws {
        let run = try AppAnalyzerRun(tcpExchange([
            (.client, Self.request("/tool.exe") + Self.request("/index.html")),
            (.server, Self.response(Self.pe) + Self.chunked(Self.html, chunk: 7)),
        ], segmentSize: 100))
        #expect(run.http.count == 2)
        let first = try #require(run.http.first), second = try #require(run.http.last)
        #expect(first.method == "GET" && first.uri == "/tool.exe" && first.host == "files.example")
        #expect(first.userAgent == "curl/8.5.0" && first.referrer == "http://ref.example/" && first.version == "1.1")
        #expect(first.statusCode == 200 && first.statusMessage == "OK" && first.transDepth == 1)
        #expect(first.responseBodyLength == UInt64(Self.pe.count))
        #expect(first.responseMIMETypes == ["application/x-dosexec"])
        #expect(second.uri == "/index.html" && second.transDepth == 2)
        #expect(second.responseBodyLength == UInt64(Self.html.count))
        #expect(second.responseMIMETypes == ["text/html"])
        #expect(run.files.count == 2)
        let exe = try #require(run.files.first { $0.fileID == first.responseFUIDs.first })
        #expect(exe.mimeType == "application/x-dosexec" && exe.seenBytes == UInt64(Self.pe.count))
        #expect(exe.totalBytes == UInt64(Self.pe.count) && exe.source == "HTTP")
        #expect(exe.md5 == Self.hex(Insecure.MD5.hash(data: Self.pe)))
        #expect(exe.sha1 == Self.hex(Insecure.SHA1.hash(data: Self.pe)))
        #expect(exe.sha256 == Self.hex(SHA256.hash(data: Self.pe)))
        #expect(exe.transmitters == [IPAddress("10.9.0.80")!] && exe.receivers == [IPAddress("10.9.0.2")!])
        #expect(exe.connectionUIDs == [first.uid])
        let page = try #require(run.files.first { $0.fileID == second.responseFUIDs.first })
        #expect(page.sha256 == Self.hex(SHA256.hash(data: Self.html)))
        #expect(run.conns.first?.service == "http")
        #expect(run.statistics.httpMalformations.total == 0)
    }

    @Test("hashes agree with published digests of a known text")
    func knownDigests() throws {
        let run = try AppAnalyzerRun(tcpExchange([(.client, Self.request("/fox")),
                                                  (.server, Self.response(Self.fox, type: "text/plain"))]))
        let file = try #require(run.files.first)
        #expect(file.md5 == "9e107d9d372bb6826bd81d3542a419d6")
        #expect(file.sha1 == "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12")
        #expect(file.sha256 == "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
        #expect(file.mimeType == "text/plain" && file.analyzers == ["MD5", "SHA1", "SHA256"])
    }

    @Test("analyzers.http_hashes: MD5 alone computes the MD5 and leaves SHA-1/SHA-256 empty")
    func md5Only() throws {
        var configuration = AnalyzerConfiguration()
        configuration.httpHashes = [.md5]
        let run = try AppAnalyzerRun(tcpExchange([(.client, Self.request("/fox")),
                                                  (.server, Self.response(Self.fox, type: "text/plain"))]),
                                     analyzers: configuration)
        let file = try #require(run.files.first)
        #expect(file.md5 == "9e107d9d372bb6826bd81d3542a419d6")
        #expect(file.sha1.isEmpty && file.sha256.isEmpty && file.analyzers == ["MD5"])
        #expect(HTTPBodyHashKinds(name: "SHA256") == .sha256 && HTTPBodyHashKinds(name: "crc32") == nil)
    }

    @Test("no body digest asked for (http_hashes: auto with no consumer): the files record keeps MIME type and size, no hash")
    func noDigests() throws {
        var configuration = AnalyzerConfiguration()
        configuration.httpHashes = []
        let run = try AppAnalyzerRun(tcpExchange([(.client, Self.request("/fox")),
                                                  (.server, Self.response(Self.fox, type: "text/plain"))]),
                                     analyzers: configuration)
        let file = try #require(run.files.first)
        #expect(file.md5.isEmpty && file.sha1.isEmpty && file.sha256.isEmpty && file.analyzers.isEmpty)
        #expect(file.mimeType == "text/plain" && file.seenBytes == UInt64(Self.fox.count))
    }

    @Test("a body above the hash limit is counted but gets no hashes")
    func hashLimit() throws {
        var configuration = AnalyzerConfiguration()
        configuration.httpHashBytes = 1_000
        let run = try AppAnalyzerRun(tcpExchange([(.client, Self.request("/big")), (.server, Self.response(Self.pe))]),
                                     analyzers: configuration)
        let file = try #require(run.files.first)
        #expect(file.seenBytes == UInt64(Self.pe.count) && file.md5.isEmpty && file.sha256.isEmpty)
        #expect(file.mimeType == "application/x-dosexec")
    }

    @Test("HEAD, 304 and 100-continue carry no body; a body until close ends with the flow; a POST body is counted")
    func bodyRules() throws {
        let post = Self.request("/upload", method: "POST", extra: "Content-Length: 5\r\nExpect: 100-continue\r\n")
        let run = try AppAnalyzerRun(tcpExchange([
            (.client, Self.request("/h", method: "HEAD")),
            (.server, Array("HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n".utf8)),
            (.client, Self.request("/n")),
            (.server, Array("HTTP/1.1 304 Not Modified\r\n\r\n".utf8)),
            (.client, post),
            (.server, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)),
            (.client, Array("hello".utf8)),
            (.client, Self.request("/close")),
            (.server, Array("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".utf8)),
            (.server, Array("HTTP/1.0 200 OK\r\n\r\n".utf8) + Self.html),
        ]))
        #expect(run.http.map(\.uri) == ["/h", "/n", "/upload", "/close"])
        #expect(run.http.map(\.statusCode) == [200, 304, 201, 200])
        #expect(run.http[0].responseBodyLength == 0 && run.http[1].responseBodyLength == 0)
        #expect(run.http[2].requestBodyLength == 5)
        #expect(run.http[3].responseBodyLength == UInt64(Self.html.count))
        #expect(run.files.count == 1)
    }

    @Test("an unanswered request is reported at the flow's end; a response without request is counted")
    func unpaired() throws {
        let run = try AppAnalyzerRun(tcpExchange([
            (.client, Self.request("/a")),
            (.server, Self.response(Self.fox) + Self.response(Self.fox)),
            (.client, Self.request("/never")),
        ]))
        #expect(run.http.count == 3)
        #expect(run.http.contains { $0.uri == "/never" && $0.statusCode == 0 })
        #expect(run.statistics.httpMalformations[.responseWithoutRequest] == 1)
    }

    @Test("a head without its end within the bound stops the direction, counted; bad status lines are counted")
    func malformed() throws {
        let huge = Array("GET / HTTP/1.1\r\nX: ".utf8) + Array(repeating: 0x61, count: 10_000)
        let run = try AppAnalyzerRun(tcpExchange([(.client, huge)]))
        #expect(run.http.isEmpty)
        #expect(run.statistics.httpMalformations[.headerTooLong] == 1)
        let bad = try AppAnalyzerRun(tcpExchange([(.client, Self.request("/")),
                                                  (.server, Array("HTTP/1.1 2x0 OK\r\n\r\n".utf8))]))
        #expect(bad.statistics.httpMalformations[.badStatusLine] == 1)
        #expect(bad.http.count == 1 && bad.http[0].statusCode == 0)
    }

    @Test("every truncation of a recorded exchange, and of each head, decodes without a trap")
    func truncations() throws {
        let client = Self.request("/tool.exe") + Self.request("/index.html")
        let server = Self.response(Array(Self.pe.prefix(300))) + Self.chunked(Self.html, chunk: 9)
        for cut in stride(from: 0, through: server.count, by: 1) {
            let run = try AppAnalyzerRun(tcpExchange([(.client, client), (.server, Array(server.prefix(cut)))],
                                                     segmentSize: 64))
            #expect(run.http.count == 2)
        }
        for cut in 0...client.count {
            let bytes = Array(client.prefix(cut))
            bytes.withUnsafeBytes { raw in
                if let length = HTTPHeadParser.headLength(raw, limit: 8_192) {
                    _ = try? HTTPHeadParser.parse(UnsafeRawBufferPointer(rebasing: raw[..<length]), request: true)
                }
                _ = try? HTTPHeadParser.parse(raw, request: true)
                _ = try? HTTPHeadParser.parse(raw, request: false)
            }
        }
        let chunked = Self.chunked(Self.html, chunk: 5)
        for cut in 0...chunked.count {
            var framing = HTTPBodyFraming.chunkSize
            let bytes = Array(chunked.suffix(from: min(cut, chunked.count)))
            bytes.withUnsafeBytes { raw in
                var offset = 0
                for _ in 0..<10_000 {
                    guard let step = try? framing.step(UnsafeRawBufferPointer(rebasing: raw[offset...])),
                          step.consumed > 0 else { break }
                    offset += step.consumed
                }
            }
        }
    }

    @Test("MIME signatures")
    func sniffing() {
        #expect(MIMESniffer.mimeType([0x7F, 0x45, 0x4C, 0x46, 2, 1]) == "application/x-executable")
        #expect(MIMESniffer.mimeType(Array("PK\u{03}\u{04}rest".utf8)) == "application/zip")
        #expect(MIMESniffer.mimeType(Array("%PDF-1.7\n".utf8)) == "application/pdf")
        #expect(MIMESniffer.mimeType([0x1F, 0x8B, 8, 0]) == "application/x-gzip")
        #expect(MIMESniffer.mimeType(Array("#!/bin/sh\necho".utf8)) == "text/x-shellscript")
        #expect(MIMESniffer.mimeType(Array("#!/usr/bin/env python3\n".utf8)) == "text/x-python")
        #expect(MIMESniffer.mimeType(Array("  <HTML><head>".utf8)) == "text/html")
        #expect(MIMESniffer.mimeType(Array("just words\n".utf8)) == "text/plain")
        #expect(MIMESniffer.mimeType([0, 1, 2, 3, 0xFF]) == nil)
    }
}
