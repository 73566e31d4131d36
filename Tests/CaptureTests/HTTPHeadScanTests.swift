@testable import Capture
import NetCore
import Records
import Testing
import TestSupport

/// The search for the end of an HTTP head resumes where it stopped: a head that arrives one byte per segment is
/// read once in all (each search reads only the new bytes), and gives the same records as in one segment.
@Suite struct HTTPHeadScanTests {
    static let request = Array(("GET /a/long/path/index.html?q=1 HTTP/1.1\r\nHost: www.example.test\r\n"
        + "User-Agent: slipsd-test/1.0\r\nReferer: http://ref.example.test/\r\nAccept: */*\r\n\r\n").utf8)
    static let response = Array(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 20\r\n\r\n"
        + "<html>hello  </html>").utf8)

    @Test("each search reads only the bytes that arrived since the last one, and finds the same end")
    func resumedSearchIsLinear() {
        var scan = HTTPHeadScan()
        var found: Int?
        for cut in 1...Self.request.count {
            let prefix = Array(Self.request[..<cut])
            let before = scan.index
            found = prefix.withUnsafeBytes { HTTPHeadParser.headLength($0, limit: 8_192, resuming: &scan) }
            let fresh = prefix.withUnsafeBytes { HTTPHeadParser.headLength($0, limit: 8_192) }
            #expect(found == fresh, "cut \(cut)")
            if found == nil {
                #expect(before == cut - 1 && scan.index == cut, "the search read bytes it had read before (cut \(cut))")
            }
        }
        #expect(found == Self.request.count)
        // Handed bytes shorter than where it stopped (not the same head): it starts over, no trap.
        let short = Array(Self.request.prefix(10))
        #expect(short.withUnsafeBytes { HTTPHeadParser.headLength($0, limit: 8_192, resuming: &scan) } == nil)
        #expect(scan.index == 10)
    }

    /// A session whose heads come in `size`-byte segments after a first segment of 8 bytes (the probe reads the
    /// first segment of a direction: it needs a method and its space to claim the flow).
    static func session(segmentSize size: Int) -> [TimedPacket] {
        var session = TCPSession(client: "10.9.0.2", clientPort: 40_200, server: "10.9.0.80", serverPort: 80,
                                 start: PacketTime(microseconds: 1_700_000_000_000_000), interval: 1_000,
                                 link: .ethernet, vlan: [])
        session.handshake()
        for _ in 0..<2 {
            session.transfer(.client, Array(request.prefix(8)), segmentSize: 8)
            session.transfer(.client, Array(request.dropFirst(8)), segmentSize: size)
            session.transfer(.server, response, segmentSize: size)
        }
        session.finClose(by: .client)
        return session.packets
    }

    @Test("heads in one-byte segments give the records one segment gives", arguments: [1, 2, 7, 1_448])
    func tinySegments(_ size: Int) throws {
        let whole = try AppAnalyzerRun(tcpExchange([(.client, Self.request), (.server, Self.response),
                                                    (.client, Self.request), (.server, Self.response)]))
        let split = try AppAnalyzerRun(Self.session(segmentSize: size))
        #expect(whole.http.count == 2 && split.http.count == 2)
        #expect(split.statistics.httpMalformations.total == 0)
        for (a, b) in zip(whole.http, split.http) {
            #expect(a.method == b.method && a.uri == b.uri && a.host == b.host && a.userAgent == b.userAgent)
            #expect(a.referrer == b.referrer && a.statusCode == b.statusCode && a.transDepth == b.transDepth)
            #expect(b.responseBodyLength == 20 && b.responseMIMETypes == ["text/html"])
        }
        #expect(split.http.map(\.uri) == ["/a/long/path/index.html?q=1", "/a/long/path/index.html?q=1"])
    }
}
