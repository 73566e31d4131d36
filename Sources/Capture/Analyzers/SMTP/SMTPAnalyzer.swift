import NetCore
import Records

/// The SMTP analyzer: reads the client's commands and the server's replies on a claimed TCP flow and fills one
/// `SMTPRecord` per transaction as Zeek's smtp.log: `helo` (EHLO/HELO), `mailfrom`, `rcptto`, `last_reply`
/// (the last reply line, `code text`), and the AUTH exchange (mechanisms, 235 successes and 535/other failure
/// replies counted in `authSuccesses`/`authFailures`). A transaction is emitted when a new MAIL or RSET starts
/// the next, when the server answers the end of a message (the `.` line after `DATA`, or `BDAT … LAST`), as
/// Zeek logs one line per message, and when the analysis ends: at `STARTTLS` (the rest is encrypted; `tls` is
/// set) or when the flow ends. Message content is skipped, never kept (`SMTPMessageSkip`, `BDAT` sizes), so every
/// message of a session is seen. Replies are paired with commands in order (pipelining), bounded by
/// `SMTPSession.maxPending`; lines by `SMTPLine.maxLength`. `QUIT` and `NOOP` alone make no transaction. The flow is SMTP (confirmed) once the client sent
/// EHLO or HELO; a flow whose client starts otherwise (an FTP `220` greeting) gives no record. Confined to its
/// pipeline's thread.
final class SMTPAnalyzer: FlowAnalyzer {
    let configuration: AnalyzerConfiguration
    var application: ApplicationProtocol { .smtp }

    init(configuration: AnalyzerConfiguration) { self.configuration = configuration }

    func stream(_ bytes: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Int {
        if flow.smtp == nil {
            guard context.budget.reserve(SMTPSession.cost) else {
                context.statistics.budgetRefusals &+= 1
                flow.done = true
                return bytes.count
            }
            flow.baseCost += SMTPSession.cost
            flow.smtp = SMTPSession(record: newRecord(flow, time: time), greeting: !fromOriginator)
        }
        guard let session = flow.smtp else { return bytes.count }
        var used = 0
        while used < bytes.count, !flow.done {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[used...])
            if fromOriginator, session.inContent {
                used += skipContent(rest, session, context: &context)
                continue
            }
            let line: (content: Int, total: Int)
            do throws(SMTPMalformation) {
                guard let found = try SMTPLine.next(rest) else { break }
                line = found
            } catch {
                context.statistics.smtpMalformations.count(error)
                flow.done = true
                return bytes.count
            }
            let content = UnsafeRawBufferPointer(rebasing: rest[..<line.content])
            if fromOriginator {
                command(content, session, time: time, flow: &flow, context: &context)
            } else {
                do throws(SMTPMalformation) { try reply(content, session, time: time, flow: &flow, context: &context) } catch {
                    context.statistics.smtpMalformations.count(error)
                    flow.done = true
                    return bytes.count
                }
            }
            used += line.total
        }
        return used
    }

    func finish(_ flow: inout AnalyzedFlow, context: inout AnalyzerContext) {
        if let session = flow.smtp, session.hasActivity { emit(session.record, context: &context) }
        flow.smtp = nil
    }

    /// One client line: a command, or AUTH data after a 334.
    private func command(_ line: UnsafeRawBufferPointer, _ session: SMTPSession, time: PacketTime,
                         flow: inout AnalyzedFlow, context: inout AnalyzerContext) {
        if session.authContinues {
            session.authContinues = false                                   // credentials: not kept
            return
        }
        let (verb, argument) = SMTPLine.command(line)
        // An SMTP client begins with EHLO/HELO (RFC 5321 §4.1.4); anything else after a `220` greeting is
        // another protocol (FTP greets the same way): the flow is abandoned without a record.
        guard flow.confirmed || verb == "EHLO" || verb == "HELO" else {
            flow.done = true
            session.hasActivity = false
            return
        }
        let kind: SMTPSession.Command
        switch verb {
        case "EHLO", "HELO":
            session.record.helo = argument
            kind = .helo
        case "AUTH":
            let mechanism = argument.prefix { $0 != " " }.uppercased()
            if session.record.authMechanisms.count < SMTPSession.maxMechanisms {
                session.record.authMechanisms.append(mechanism)
            }
            kind = .auth
        case "MAIL":
            if !session.record.mailFrom.isEmpty || !session.record.recipients.isEmpty {
                startTransaction(session, time: time, flow: flow, context: &context)
            }
            session.record.mailFrom = SMTPLine.path(argument)
            kind = .mail
        case "RCPT":
            if session.record.recipients.count < SMTPSession.maxRecipients {
                session.record.recipients.append(SMTPLine.path(argument))
            }
            kind = .rcpt
        case "RSET":
            kind = .reset
        case "DATA":
            kind = .data
        case "BDAT":
            // `BDAT size [LAST]`: the chunk follows the line at once; the reply to the last one ends the message.
            let words = argument.split(separator: " ")
            guard let size = words.first.flatMap({ Int($0) }), size >= 0 else {
                context.statistics.smtpMalformations.count(.badChunkSize)
                flow.done = true
                return
            }
            session.chunkRemaining = size
            kind = words.dropFirst().first?.uppercased() == "LAST" ? .endOfMessage : .other
        case "STARTTLS":
            session.record.tls = true
            flow.done = true
            kind = .other
        case "QUIT", "NOOP":
            flow.confirmed = true
            context.statistics.smtpCommands &+= 1
            expectReply(.other, session, context: &context)
            return
        default:
            kind = .other
        }
        session.hasActivity = true
        flow.confirmed = true
        context.statistics.smtpCommands &+= 1
        expectReply(kind, session, context: &context)
    }

    /// `kind` waits for its reply (the oldest is dropped, and counted, beyond `SMTPSession.maxPending`).
    private func expectReply(_ kind: SMTPSession.Command, _ session: SMTPSession, context: inout AnalyzerContext) {
        if session.pending.count >= SMTPSession.maxPending {
            context.statistics.smtpMalformations.count(.tooManyPending)
            session.pending.removeFirst()
        }
        session.pending.append(kind)
    }

    /// Message content from the client: skipped up to the end of the message or chunk; the `.` line then waits
    /// for its reply like a command. Returns the bytes used.
    private func skipContent(_ bytes: UnsafeRawBufferPointer, _ session: SMTPSession,
                             context: inout AnalyzerContext) -> Int {
        if session.chunkRemaining > 0 {
            let used = min(session.chunkRemaining, bytes.count)
            session.chunkRemaining -= used
            return used
        }
        guard var message = session.message else { return 0 }
        let (used, ended) = message.skip(bytes)
        session.message = ended ? nil : message
        if ended {
            context.statistics.smtpCommands &+= 1
            expectReply(.endOfMessage, session, context: &context)
        }
        return used
    }

    /// One server line; the last line of a reply answers the oldest command waiting.
    private func reply(_ line: UnsafeRawBufferPointer, _ session: SMTPSession, time: PacketTime,
                       flow: inout AnalyzedFlow, context: inout AnalyzerContext) throws(SMTPMalformation) {
        let reply = try SMTPLine.reply(line)
        guard !reply.continues else { return }
        session.record.lastReply = reply.text.isEmpty ? "\(reply.code)" : "\(reply.code) \(reply.text)"
        guard !session.pending.isEmpty else { return }
        let command = session.pending[0]
        if command == .data, reply.code == 354 { session.message = SMTPMessageSkip() }
        if command == .endOfMessage {
            session.pending.removeFirst()
            if session.hasActivity { startTransaction(session, time: time, flow: flow, context: &context) }
            return
        }
        if command == .auth {
            if reply.code == 334 {
                session.authContinues = true
                return                                                      // AUTH still waits for its outcome
            }
            if reply.code == 235 { session.record.authSuccesses += 1 }
            // 535 (credentials invalid, RFC 4954) and 534/538 are the client's failures; 421, 454 and the like are
            // the server's trouble and count against nobody.
            else if reply.code == 535 || reply.code == 534 || reply.code == 538 { session.record.authFailures += 1 }
        }
        session.pending.removeFirst()
    }

    /// The current transaction is complete: emitted; the next keeps the session's `helo`.
    private func startTransaction(_ session: SMTPSession, time: PacketTime, flow: AnalyzedFlow,
                                  context: inout AnalyzerContext) {
        emit(session.record, context: &context)
        var next = newRecord(flow, time: time)
        next.helo = session.record.helo
        session.record = next
        session.hasActivity = false
    }

    private func emit(_ record: SMTPRecord, context: inout AnalyzerContext) {
        context.statistics.smtpRecords &+= 1
        context.emit(.smtp(record))
    }

    private func newRecord(_ flow: AnalyzedFlow, time: PacketTime) -> SMTPRecord {
        var record = SMTPRecord(time: time, uid: flow.uid,
                                id: ConnectionID(originator: flow.originator, originatorPort: flow.originatorPort,
                                                 responder: flow.responder, responderPort: flow.responderPort))
        record.handshake = flow.established
        return record
    }
}
