@testable import Capture
import NetCore
import Records
import Testing
import TestSupport

/// A client that splits its first bytes into tiny segments (`G`, `E`, `T`, …) so that no segment shows a protocol
/// signature is still analysed: on the well-known ports the responder's port claims the flow and the analyzer
/// reads the stream from its first byte; on any other port the flow is held and the stream's first 16 bytes are
/// probed (content decides there), then claimed or left.
@Suite struct ProbeShortFirstSegmentTests {
    /// A session between the test's client and server after its handshake.
    static func connected(clientPort: UInt16, serverPort: UInt16) -> TCPSession {
        var session = TCPSession(client: "10.9.0.2", clientPort: clientPort, server: "10.9.0.80", serverPort: serverPort,
                                 start: PacketTime(microseconds: 1_700_000_000_000_000), interval: 1_000,
                                 link: .ethernet, vlan: [])
        session.handshake()
        return session
    }

    static func session(serverPort: UInt16, firstBytes: Int) -> [TimedPacket] {
        var session = connected(clientPort: 40_300, serverPort: serverPort)
        let request = HTTPHeadScanTests.request
        session.transfer(.client, Array(request.prefix(firstBytes)), segmentSize: 1)
        session.transfer(.client, Array(request.dropFirst(firstBytes)), segmentSize: 1_448)
        session.transfer(.server, HTTPHeadScanTests.response, segmentSize: 1_448)
        session.finClose(by: .client)
        return session.packets
    }

    @Test("an HTTP request whose first bytes come one per segment still gives its record, on port 80 and elsewhere",
          arguments: [80, 8888] as [UInt16], [1, 3, 9, 15])
    func splitRequest(serverPort: UInt16, firstBytes: Int) throws {
        let run = try AppAnalyzerRun(Self.session(serverPort: serverPort, firstBytes: firstBytes))
        let http = try #require(run.http.first, "no http record: the split request slipped past the probe")
        #expect(http.method == "GET" && http.host == "www.example.test" && http.uri == "/a/long/path/index.html?q=1")
        #expect(http.userAgent == "slipsd-test/1.0" && http.statusCode == 200)
        #expect(run.conns.first?.service == "http")
        // Port 80 claims at once; elsewhere the flow was held, then claimed on its first bytes.
        #expect(run.statistics.deferredProbes == (serverPort == 80 ? 0 : 1))
        #expect(run.statistics.deferredClaims == run.statistics.deferredProbes)
    }

    @Test("on another port, tiny segments of no protocol are held only up to 16 bytes, then left: no service")
    func splitGarbageOnOtherPort() throws {
        var session = Self.connected(clientPort: 40_302, serverPort: 8888)
        session.transfer(.client, Array("GE not an http request at all".utf8), segmentSize: 1)
        session.transfer(.server, Array("SSH-2.0-late\r\n".utf8), segmentSize: 1_448)   // too late to claim it
        session.finClose(by: .client)
        let run = try AppAnalyzerRun(session.packets)
        #expect(run.records.allSatisfy { HTTPRecord.from($0) == nil && SSHRecord.from($0) == nil })
        #expect(run.conns.first?.service == "")
        #expect(run.statistics.deferredProbes == 1 && run.statistics.deferredClaims == 0)
        #expect(run.statistics.budgetUsed == 0, "the held bytes were not released")
    }

    @Test("held flows are claimed by what either side's first bytes name: a split SSH ident, an early server banner")
    func splitSSHAndGreetingOnOtherPorts() throws {
        var ssh = Self.connected(clientPort: 40_303, serverPort: 2222)
        ssh.transfer(.client, Array("SSH-2.0-OpenSSH_9.6\r\n".utf8), segmentSize: 2)
        ssh.transfer(.server, Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8), segmentSize: 1_448)
        ssh.finClose(by: .client)
        let sshRun = try AppAnalyzerRun(ssh.packets)
        #expect(sshRun.conns.first?.service == "ssh")
        #expect(sshRun.statistics.deferredClaims == 1)

        // The server's banner names the protocol before the client's split ident does.
        var early = Self.connected(clientPort: 40_304, serverPort: 2200)
        early.transfer(.client, Array("SS".utf8), segmentSize: 1)
        early.transfer(.server, Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8), segmentSize: 1_448)
        early.transfer(.client, Array("H-2.0-PuTTY_Release_0.81\r\n".utf8), segmentSize: 1_448)
        early.finClose(by: .client)
        let earlyRun = try AppAnalyzerRun(early.packets)
        #expect(earlyRun.statistics.deferredClaims == 1)
        #expect(earlyRun.conns.first?.service == "ssh")
        #expect(earlyRun.software.contains { $0.unparsedVersion.contains("PuTTY") || $0.name.contains("PuTTY") }, "the client's held first bytes were lost: \(earlyRun.software)")
    }

    @Test("a short first segment that is not the port's protocol is claimed but never confirmed: no service")
    func shortGarbageOnPort443() throws {
        var session = Self.connected(clientPort: 40_301, serverPort: 443)
        session.transfer(.client, Array("hi".utf8), segmentSize: 1)
        session.transfer(.client, Array(repeating: 0x41, count: 300), segmentSize: 1_448)
        session.finClose(by: .client)
        let run = try AppAnalyzerRun(session.packets)
        #expect(run.records.allSatisfy { SSLRecord.from($0) == nil })
        #expect(run.conns.first?.service == "")
    }
}
