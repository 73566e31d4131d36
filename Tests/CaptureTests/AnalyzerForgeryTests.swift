@testable import Capture
import NetCore
import Records
import Testing
import TestSupport

/// The framework's forgery rule for every TCP analyzer: segments of a flow whose three-way handshake the flow
/// table did not prove (a spoofed source never sees the SYN-ACK, so it cannot acknowledge it) give no record.
@Suite("Analyzers believe only proven TCP flows")
struct AnalyzerForgeryTests {
    /// The exchange with the server's SYN-ACK removed: the client's ACK acknowledges nothing seen.
    private static func withoutSYNACK(_ packets: [TimedPacket]) -> [TimedPacket] {
        packets.filter { packet in
            guard let decoded = try? packet.bytes.withUnsafeBytes({
                try PacketDecoder.decode($0, wireLength: packet.wireLength, time: packet.time, linkType: packet.linkType)
            }) else { return true }
            return decoded.tcpFlags & 0x12 != 0x12
        }
    }

    @Test func httpRequestOnAnUnprovenFlowGivesNoRecord() throws {
        let exchange = tcpExchange([
            (.client, Array("GET /a HTTP/1.1\r\nHost: files.example\r\nUser-Agent: Evil/1\r\n\r\n".utf8)),
            (.server, Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nMZ".utf8)),
        ])
        #expect(try AppAnalyzerRun(exchange).http.count == 1, "the control: with the handshake there is a record")
        let forged = Self.withoutSYNACK(exchange)
        #expect(forged.count == exchange.count - 1)
        let run = try AppAnalyzerRun(forged)
        #expect(run.http.isEmpty && run.files.isEmpty)
        #expect(run.statistics.claims == 0)
    }

    @Test func smtpLoginsOnAnUnprovenFlowGiveNoRecord() throws {
        let exchange = tcpExchange([
            (.server, Array("220 mail.example ESMTP\r\n".utf8)),
            (.client, Array("EHLO client.example\r\n".utf8)),
            (.server, Array("250-mail.example\r\n250 AUTH PLAIN LOGIN\r\n".utf8)),
            (.client, Array("AUTH PLAIN AGFsaWNlAHdyb25n\r\n".utf8)),
            (.server, Array("535 5.7.8 Authentication credentials invalid\r\n".utf8)),
            (.client, Array("QUIT\r\n".utf8)),
            (.server, Array("221 bye\r\n".utf8)),
        ], serverPort: 25)
        let proven = try AppAnalyzerRun(exchange)
        #expect(proven.smtp.first?.authFailures == 1, "the control: with the handshake the failed login is seen")
        let run = try AppAnalyzerRun(Self.withoutSYNACK(exchange))
        #expect(run.smtp.isEmpty)
    }
}
