@testable import Capture
import NetCore
import Records
import Testing
import TestSupport

/// A client that splits its first bytes into tiny segments (`G`, `E`, `T`, …) so that no segment shows a protocol
/// signature is still analysed on the well-known ports: the responder's port claims the flow and the analyzer
/// reads the stream from its first byte. On another port the short segment is not enough (content decides there).
@Suite struct ProbeShortFirstSegmentTests {
    static func session(serverPort: UInt16, firstBytes: Int) -> [TimedPacket] {
        var session = TCPSession(client: "10.9.0.2", clientPort: 40_300, server: "10.9.0.80", serverPort: serverPort,
                                 start: PacketTime(microseconds: 1_700_000_000_000_000), interval: 1_000,
                                 link: .ethernet, vlan: [])
        session.handshake()
        let request = HTTPHeadScanTests.request
        session.transfer(.client, Array(request.prefix(firstBytes)), segmentSize: 1)
        session.transfer(.client, Array(request.dropFirst(firstBytes)), segmentSize: 1_448)
        session.transfer(.server, HTTPHeadScanTests.response, segmentSize: 1_448)
        session.finClose(by: .client)
        return session.packets
    }

    @Test("an HTTP request whose first bytes come one per segment still gives its record on port 80",
          arguments: [1, 3, 9])
    func splitRequestOnPort80(firstBytes: Int) throws {
        let run = try AppAnalyzerRun(Self.session(serverPort: 80, firstBytes: firstBytes))
        let http = try #require(run.http.first, "no http record: the split request slipped past the probe")
        #expect(http.method == "GET" && http.host == "www.example.test" && http.uri == "/a/long/path/index.html?q=1")
        #expect(http.userAgent == "slipsd-test/1.0" && http.statusCode == 200)
        #expect(run.conns.first?.service == "http")
    }

    @Test("on a port no analyzer owns, a one-byte first segment claims nothing")
    func splitRequestOnOtherPort() throws {
        let run = try AppAnalyzerRun(Self.session(serverPort: 8888, firstBytes: 1))
        #expect(run.http.isEmpty)
        #expect(run.conns.first?.service == "")
    }

    @Test("a short first segment that is not the port's protocol is claimed but never confirmed: no service")
    func shortGarbageOnPort443() throws {
        var session = TCPSession(client: "10.9.0.2", clientPort: 40_301, server: "10.9.0.80", serverPort: 443,
                                 start: PacketTime(microseconds: 1_700_000_000_000_000), interval: 1_000,
                                 link: .ethernet, vlan: [])
        session.handshake()
        session.transfer(.client, Array("hi".utf8), segmentSize: 1)
        session.transfer(.client, Array(repeating: 0x41, count: 300), segmentSize: 1_448)
        session.finClose(by: .client)
        let run = try AppAnalyzerRun(session.packets)
        #expect(run.records.allSatisfy { SSLRecord.from($0) == nil })
        #expect(run.conns.first?.service == "")
    }
}
