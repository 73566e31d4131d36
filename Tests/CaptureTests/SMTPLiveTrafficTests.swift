@testable import Capture
import Foundation
import NetCore
import Records
import Testing

/// Real SMTP traffic: a small SMTP server the test writes (python, below) inside a network namespace it creates,
/// and python's `smtplib` as the client: one session whose AUTH PLAIN is refused (535), one that logs in (235) and
/// sends two messages (two transactions: MAIL FROM, RCPT TO ×2 / ×1, DATA). `tcpdump` records it; the smtp
/// records are compared with tshark's `smtp.req.command`/`smtp.req.parameter`/`smtp.response.code`. Then every
/// truncation of each recorded command and reply line is read without a trap.
@Suite("SMTP analyzer on real smtplib traffic", .serialized, .timeLimit(.minutes(2)))
struct SMTPLiveTrafficTests {
    typealias Shell = DNSLiveTrafficTests

    /// The server: one thread per connection, a 220 greeting, EHLO with AUTH PLAIN, 235 only for
    /// `alice`/`secret`, 250 for MAIL/RCPT/RSET, 354 then 250 for DATA, 221 for QUIT.
    static let server = #"""
    import base64, socket, sys, threading
    def serve(conn):
        f = conn.makefile("rb")
        send = lambda text: conn.sendall(text.encode() + b"\r\n")
        send("220 mail.test.lan ESMTP slipsd-test")
        while True:
            line = f.readline()
            if not line:
                break
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"EHLO":
                send("250-mail.test.lan hello"); send("250-AUTH PLAIN"); send("250 8BITMIME")
            elif verb == b"AUTH":
                parts = line.split()
                ok = len(parts) == 3 and base64.b64decode(parts[2]) == b"\0alice\0secret"
                send("235 2.7.0 Authentication successful" if ok else "535 5.7.8 Authentication credentials invalid")
            elif verb == b"DATA":
                send("354 End data with <CR><LF>.<CR><LF>")
                while f.readline() not in (b".\r\n", b""):
                    pass
                send("250 2.0.0 queued")
            elif verb == b"QUIT":
                send("221 2.0.0 bye"); break
            else:
                send("250 2.1.0 ok")
        conn.close()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 2525))
    listener.listen(8)
    print("listening", file=sys.stderr, flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
    """#

    /// The client: a refused login, then a login and two messages.
    static let client = #"""
    import smtplib
    s = smtplib.SMTP("127.0.0.1", 2525, local_hostname="client.test.lan", source_address=("127.0.0.1", 43001))
    s.ehlo()
    try:
        s.login("alice", "wrong")
    except smtplib.SMTPAuthenticationError:
        pass
    s.quit()
    s = smtplib.SMTP("127.0.0.1", 2525, local_hostname="sender.test.lan", source_address=("127.0.0.1", 43002))
    s.ehlo()
    s.login("alice", "secret")
    s.sendmail("alice@test.lan", ["bob@test.lan", "carol@test.lan"], "Subject: one\r\n\r\nfirst\r\n")
    s.sendmail("alice@test.lan", ["dave@test.lan"], "Subject: two\r\n\r\nsecond\r\n")
    s.quit()
    print("sent")
    """#

    @Test("smtplib against a python SMTP server: smtp records agree with tshark")
    func smtplibAgainstServer() throws {
        var lab = try LiveCaptureLab("smtl", tools: ["python3"], package: "python3")
        defer { lab.close() }
        let inside = lab.inside()
        let serverPath = "\(lab.directory)/server.py", clientPath = "\(lab.directory)/client.py"
        try Self.server.write(toFile: serverPath, atomically: true, encoding: .utf8)
        try Self.client.write(toFile: clientPath, atomically: true, encoding: .utf8)
        _ = try lab.start("server", inside + ["python3", serverPath])
        try #require(Shell.wait(seconds: 10) { lab.errors("server").contains("listening") }, "the SMTP server did not start")
        let recording = try lab.record("smtp", filter: ["tcp", "port", "2525"])
        let sent = try LiveCaptureLab.run(inside + ["python3", clientPath])
        #expect(sent.status == 0 && sent.stdout.contains("sent"), "smtplib failed")
        lab.finish(recording)

        let (records, statistics) = try LiveCaptureLab.records(recording.path)
        #expect(statistics.smtpMalformations.total == 0, "\(statistics.smtpMalformations.nonZero)")
        let smtp = records.compactMap { SMTPRecord.from($0) }

        // tshark: the commands and their parameters by client port, and the reply codes.
        struct Session { var commands: [(verb: String, parameter: String)] = []; var replies: [String] = [] }
        var sessions: [UInt16: Session] = [:]
        for row in try LiveCaptureLab.tshark(recording.path, decode: ["tcp.port==2525,smtp"], filter: "smtp.req",
                                             fields: ["tcp.srcport", "smtp.req.command", "smtp.req.parameter"]) {
            guard let port = UInt16(row[0]) else { continue }
            let verbs = row[1].split(separator: ";", omittingEmptySubsequences: false)
            let parameters = row[2].split(separator: ";", omittingEmptySubsequences: false)
            for (index, verb) in verbs.enumerated() where !verb.isEmpty {
                sessions[port, default: Session()].commands.append(
                    (String(verb), index < parameters.count ? String(parameters[index]) : ""))
            }
        }
        for row in try LiveCaptureLab.tshark(recording.path, decode: ["tcp.port==2525,smtp"], filter: "smtp.response",
                                             fields: ["tcp.dstport", "smtp.response.code"]) {
            guard let port = UInt16(row[0]) else { continue }
            sessions[port, default: Session()].replies += row[1].split(separator: ";").map(String.init)
        }
        #expect(sessions.keys.sorted() == [43_001, 43_002], "tshark saw \(sessions.keys.sorted())")
        func parameters(_ port: UInt16, _ verb: String) -> [String] {
            sessions[port]?.commands.filter { $0.verb.uppercased() == verb }.map(\.parameter) ?? []
        }
        func path(_ parameter: String) -> String {               // `FROM:<a@b> SIZE=1` → `<a@b>`, as Zeek
            String(parameter.drop { $0 != ":" }.dropFirst().drop { $0 == " " }.prefix { $0 != " " })
        }

        // Refused login: one record, the EHLO name, AUTH PLAIN failed once (tshark's 535).
        let refused = smtp.filter { $0.id.originatorPort == 43_001 }
        #expect(refused.count == 1)
        #expect(refused.first?.helo == parameters(43_001, "EHLO").first)
        #expect(refused.first?.authMechanisms == parameters(43_001, "AUTH").map { String($0.prefix { $0 != " " }) })
        #expect(refused.first?.authFailures == UInt64(sessions[43_001]?.replies.filter { $0 == "535" }.count ?? -1))
        #expect(refused.first?.authFailures == 1 && refused.first?.authSuccesses == 0)

        // Accepted login: one transaction per message, as Zeek's smtp.log (each ends at the reply to its `.`
        // line): the first with MAIL FROM and both RCPT TO of the first message and AUTH PLAIN succeeded (235),
        // the second with the second message's MAIL FROM and RCPT TO; QUIT makes no third.
        let accepted = smtp.filter { $0.id.originatorPort == 43_002 }
        #expect(accepted.count == 2, "\(accepted)")
        let first = try #require(accepted.first)
        #expect(first.helo == parameters(43_002, "EHLO").first)
        #expect(first.mailFrom == parameters(43_002, "MAIL").first.map(path))
        let recipients = parameters(43_002, "RCPT").map(path)
        #expect(recipients.count == 3 && first.recipients == Array(recipients.prefix(2)))
        #expect(first.authSuccesses == UInt64(sessions[43_002]?.replies.filter { $0 == "235" }.count ?? -1))
        #expect(first.authSuccesses == 1 && first.authFailures == 0 && first.authMechanisms == ["PLAIN"])
        #expect(first.lastReply.hasPrefix("250"))
        let second = try #require(accepted.last)
        #expect(parameters(43_002, "MAIL").count == 2 && second.mailFrom == parameters(43_002, "MAIL").last.map(path))
        #expect(second.recipients == Array(recipients.suffix(1)) && second.helo == first.helo)
        #expect(second.lastReply.hasPrefix("250") && second.authSuccesses == 0)
        let conns = records.compactMap { ConnRecord.from($0) }
        #expect(conns.filter { $0.service == "smtp" }.count == 2)

        // Every prefix of each recorded line (commands and replies, before DATA's content): a value or a
        // malformation, never a trap; only the whole line is a line.
        var lines = 0
        for (key, bytes) in try LiveCaptureLab.streams(recording.path, serverPort: 2525) {
            let fromServer = key.hasSuffix("/true")
            var cursor = 0
            while cursor < bytes.count, lines < 200 {
                guard let end = bytes[cursor...].firstIndex(of: 0x0A) else { break }
                let line = Array(bytes[cursor...end])
                cursor = end + 1
                lines += 1
                for cut in 0...line.count {
                    let prefix = Array(line[..<cut])
                    prefix.withUnsafeBytes { raw in
                        let found = try? SMTPLine.next(raw)
                        if let found { #expect(cut == line.count && found.total == cut, "cut \(cut)") }
                        let content = UnsafeRawBufferPointer(rebasing: raw[..<(found?.content ?? raw.count)])
                        if fromServer { _ = try? SMTPLine.reply(content) } else { _ = SMTPLine.command(content) }
                    }
                }
            }
        }
        #expect(lines >= 20, "lines read: \(lines)")
    }
}
