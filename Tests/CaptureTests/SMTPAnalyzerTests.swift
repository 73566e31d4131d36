@testable import Capture
import NetCore
import Records
import Testing
import TestSupport

/// The SMTP analyzer: EHLO, AUTH outcomes, MAIL FROM / RCPT TO, replies, transactions, DATA and STARTTLS.
@Suite("SMTP analyzer")
struct SMTPAnalyzerTests {
    static func lines(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a session: EHLO, two refused AUTHs and an accepted one, MAIL/RCPT, DATA; each message is a transaction")
    func session() throws {
        let run = try AppAnalyzerRun(tcpExchange([
            (.server, Self.lines("220 mail.example ESMTP\r\n")),
            (.client, Self.lines("EHLO client.example\r\n")),
            (.server, Self.lines("250-mail.example\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")),
            (.client, Self.lines("AUTH PLAIN AGFsaWNlAHdyb25n\r\n")),
            (.server, Self.lines("535 5.7.8 Error: authentication failed: bad smtp-auth user\r\n")),
            (.client, Self.lines("AUTH LOGIN\r\n")),
            (.server, Self.lines("334 VXNlcm5hbWU6\r\n")),
            (.client, Self.lines("YWxpY2U=\r\n")),
            (.server, Self.lines("334 UGFzc3dvcmQ6\r\n")),
            (.client, Self.lines("d3Jvbmc=\r\n")),
            (.server, Self.lines("535 5.7.8 Error: authentication failed\r\n")),
            (.client, Self.lines("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n")),
            (.server, Self.lines("235 2.7.0 Authentication successful\r\n")),
            (.client, Self.lines("MAIL FROM:<alice@example.org> SIZE=100\r\nRCPT TO:<bob@example.net>\r\nRCPT TO:<carol@example.net>\r\n")),
            (.server, Self.lines("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n")),
            (.client, Self.lines("DATA\r\n")),
            (.server, Self.lines("354 End data with <CR><LF>.<CR><LF>\r\n")),
            (.client, Self.lines("Subject: hi\r\n\r\nbody\r\n.\r\n")),
            (.server, Self.lines("250 2.0.0 Ok: queued as 4F2\r\n")),
            // A second message whose content looks like commands, with a dot-stuffed line, and its end split
            // across segments: the content is skipped, the `.` line found.
            (.client, Self.lines("MAIL FROM:<dave@example.org>\r\nRCPT TO:<erin@example.net>\r\nDATA\r\n")),
            (.server, Self.lines("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n")),
            (.client, Self.lines("RCPT TO:<mallory@example.com>\r\n..MAIL FROM:<x@y>\r\n.")),
            (.client, Self.lines("\r\n")),
            (.server, Self.lines("250 2.0.0 Ok: queued as 4F3\r\n")),
            (.client, Self.lines("QUIT\r\n")),
            (.server, Self.lines("221 2.0.0 Bye\r\n")),
        ], serverPort: 25))
        #expect(run.smtp.count == 2, "QUIT alone makes no transaction: \(run.smtp)")
        let second = try #require(run.smtp.last)
        #expect(second.mailFrom == "<dave@example.org>" && second.recipients == ["<erin@example.net>"])
        #expect(second.lastReply == "250 2.0.0 Ok: queued as 4F3" && second.helo == "client.example")
        #expect(second.authFailures == 0 && second.authSuccesses == 0)
        let record = try #require(run.smtp.first)
        #expect(record.helo == "client.example")
        #expect(record.authMechanisms == ["PLAIN", "LOGIN", "PLAIN"])
        #expect(record.authFailures == 2 && record.authSuccesses == 1)
        #expect(record.mailFrom == "<alice@example.org>")
        #expect(record.recipients == ["<bob@example.net>", "<carol@example.net>"])
        #expect(record.lastReply == "250 2.0.0 Ok: queued as 4F2")
        #expect(!record.tls)
        #expect(run.conns.first?.service == "smtp")
    }

    @Test("a refused login then the client leaves: last_reply is the 535; STARTTLS sets tls; RSET/MAIL split")
    func transactions() throws {
        let failed = try AppAnalyzerRun(tcpExchange([
            (.server, Self.lines("220 mx ESMTP\r\n")), (.client, Self.lines("EHLO x\r\nAUTH PLAIN AAAA\r\n")),
            (.server, Self.lines("250 mx\r\n535 5.7.8 Error: bad smtp-auth user\r\n")),
        ], serverPort: 587))
        #expect(failed.smtp.first?.lastReply == "535 5.7.8 Error: bad smtp-auth user")
        #expect(failed.smtp.first?.authFailures == 1)
        let tls = try AppAnalyzerRun(tcpExchange([
            (.server, Self.lines("220 mx\r\n")), (.client, Self.lines("HELO y\r\n")), (.server, Self.lines("250 ok\r\n")),
            (.client, Self.lines("MAIL FROM:<a@b>\r\n")), (.server, Self.lines("250 ok\r\n")),
            (.client, Self.lines("RSET\r\n")), (.server, Self.lines("250 ok\r\n")),
            (.client, Self.lines("MAIL FROM:<c@d>\r\n")), (.server, Self.lines("250 ok\r\n")),
            (.client, Self.lines("STARTTLS\r\n")), (.server, Self.lines("220 go ahead\r\n")),
            (.client, [0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]),
        ]))
        #expect(tls.smtp.map(\.mailFrom) == ["<a@b>", "<c@d>"])
        #expect(tls.smtp.last?.tls == true && tls.smtp.first?.tls == false)
        #expect(tls.smtp.allSatisfy { $0.helo == "y" })
    }

    @Test("BDAT chunks are skipped by their size; the reply to the LAST one ends the message; a bad size is counted")
    func chunking() throws {
        let run = try AppAnalyzerRun(tcpExchange([
            (.server, Self.lines("220 mx ESMTP\r\n")), (.client, Self.lines("EHLO c\r\n")),
            (.server, Self.lines("250-mx\r\n250 CHUNKING\r\n")),
            (.client, Self.lines("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n")),
            (.server, Self.lines("250 ok\r\n250 ok\r\n")),
            (.client, Self.lines("BDAT 5\r\nMAIL ")),                         // a chunk that reads like a command
            (.server, Self.lines("250 5 octets\r\n")),
            (.client, Self.lines("BDAT 12 LAST\r\nRCPT TO:<z>\n")),
            (.server, Self.lines("250 message accepted\r\n")),
            (.client, Self.lines("MAIL FROM:<e@f>\r\nBDAT x LAST\r\n")),
        ], serverPort: 25))
        #expect(run.smtp.map(\.mailFrom) == ["<a@b>", "<e@f>"], "\(run.smtp)")
        #expect(run.smtp.first?.recipients == ["<c@d>"])
        #expect(run.smtp.first?.lastReply == "250 message accepted")
        #expect(run.statistics.smtpMalformations[.badChunkSize] == 1)
    }

    @Test("an FTP server's 220 greeting and a USER command give no smtp record")
    func notSMTP() throws {
        let run = try AppAnalyzerRun(tcpExchange([
            (.server, Self.lines("220 (vsFTPd 3.0.3)\r\n")), (.client, Self.lines("USER anonymous\r\n")),
            (.server, Self.lines("331 Please specify the password.\r\n")),
        ], serverPort: 21))
        #expect(run.smtp.isEmpty)
        #expect(run.conns.first?.service == "")
    }

    @Test("endless lines and bad replies are counted; every truncation decodes")
    func malformed() throws {
        let run = try AppAnalyzerRun(tcpExchange([
            (.server, Self.lines("220 mx\r\n")), (.client, Self.lines("EHLO z\r\n")),
            (.server, Self.lines("2x0 what\r\n")),
        ]))
        #expect(run.statistics.smtpMalformations[.badReply] == 1)
        #expect(run.smtp.count == 1)
        let long = try AppAnalyzerRun(tcpExchange([
            (.server, Self.lines("220 mx\r\n")), (.client, Self.lines("EHLO ") + Array(repeating: 0x61, count: 5_000)),
        ]))
        #expect(long.statistics.smtpMalformations[.lineTooLong] == 1)
        let client = Self.lines("EHLO a\r\nAUTH LOGIN\r\nYQ==\r\nYg==\r\nMAIL FROM:<x@y>\r\nRCPT TO:<z@w>\r\nQUIT\r\n")
        let server = Self.lines("220 mx\r\n250-mx\r\n250 AUTH LOGIN\r\n334 VQ==\r\n334 UA==\r\n535 no\r\n250 ok\r\n250 ok\r\n221 bye\r\n")
        for cut in 0...server.count {
            let truncated = try AppAnalyzerRun(tcpExchange([(.server, Array(server.prefix(cut))), (.client, client)],
                                                          serverPort: 25))
            #expect(truncated.smtp.count <= 1)
        }
    }
}
