import Capture
import NetCore
import Records
import Testing
import TestSupport

/// Records the analyzers make on a proven TCP flow carry `handshake` (the detection engine then verifies their
/// evidence before the flow's conn record arrives).
@Suite("Analyzer records say their flow was proven")
struct AnalyzerHandshakeMarkTests {
    @Test func httpAndSMTPRecordsOfProvenFlowsAreMarked() throws {
        let http = try AppAnalyzerRun(tcpExchange([
            (.client, Array("GET /a HTTP/1.1\r\nHost: files.example\r\n\r\n".utf8)),
            (.server, Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nMZ".utf8)),
        ])).http
        #expect(http.count == 1 && http.allSatisfy(\.handshake))
        let smtp = try AppAnalyzerRun(tcpExchange([
            (.server, Array("220 mail.example ESMTP\r\n".utf8)),
            (.client, Array("EHLO client.example\r\nAUTH PLAIN AGFsaWNlAHdyb25n\r\n".utf8)),
            (.server, Array("250 AUTH PLAIN\r\n535 5.7.8 Error: authentication failed: bad smtp-auth user\r\n".utf8)),
        ], serverPort: 25)).smtp
        #expect(smtp.count == 1 && smtp.allSatisfy(\.handshake))
    }

    @Test func recordsMadeElsewhereAreNot() {
        let id = ConnectionID(originator: IPAddress("10.0.0.5")!, originatorPort: 1, responder: IPAddress("10.0.0.9")!,
                              responderPort: 25)
        #expect(!SMTPRecord(time: .zero, uid: FlowUID(1), id: id).handshake)
        #expect(!HTTPRecord(time: .zero, uid: FlowUID(1), id: id).handshake)
        #expect(!SSLRecord(time: .zero, uid: FlowUID(1), id: id).handshake)
    }
}
