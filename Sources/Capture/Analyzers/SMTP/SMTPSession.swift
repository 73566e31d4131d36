import NetCore
import Records

/// One SMTP connection's state: the transaction being filled (Zeek's smtp.log line), the commands waiting for
/// their replies in order (pipelining), whether the client is in an AUTH exchange, and the message content
/// being skipped (after `DATA`'s 354, or a `BDAT` chunk). Allocated when the SMTP
/// analyzer claims a flow (its `AnalyzedFlow.smtp`); freed at the flow's end.
final class SMTPSession {
    /// A command sent, awaiting its reply.
    enum Command: Equatable {
        case greeting, helo, auth, mail, rcpt, reset, other
        /// `DATA`: a 354 reply starts the message content.
        case data
        /// The `.` line that ended a message, or a `BDAT … LAST` chunk: its reply completes the transaction.
        case endOfMessage
    }

    /// Most commands awaiting replies.
    static let maxPending = 32
    /// Most recipients and AUTH mechanisms kept per transaction.
    static let maxRecipients = 128
    static let maxMechanisms = 8
    /// Bytes the budget is charged for a session.
    static let cost = 768

    var record: SMTPRecord
    var pending: [Command] = []
    /// The last reply to AUTH was 334: the client's next line is authentication data, not a command.
    var authContinues = false
    /// The client sent a command in this transaction (Zeek logs transactions with client activity).
    var hasActivity = false
    /// The message content being skipped after a 354 reply to `DATA`, until its `.` line.
    var message: SMTPMessageSkip?
    /// Bytes of a `BDAT` chunk still to skip (RFC 3030: the command line gives the size, no terminator).
    var chunkRemaining = 0
    /// Whether the client is sending message content rather than commands.
    var inContent: Bool { message != nil || chunkRemaining > 0 }

    init(record: SMTPRecord, greeting: Bool) {
        self.record = record
        if greeting { pending.append(.greeting) }
    }
}
