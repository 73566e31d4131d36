import NetCore
import Records

/// One SMTP connection's state: the transaction being filled (Zeek's smtp.log line), the commands waiting for
/// their replies in order (pipelining), and whether the client is in an AUTH exchange. Allocated when the SMTP
/// analyzer claims a flow (its `AnalyzedFlow.smtp`); freed at the flow's end.
final class SMTPSession {
    /// A command sent, awaiting its reply.
    enum Command: Equatable { case greeting, helo, auth, mail, rcpt, reset, other }

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

    init(record: SMTPRecord, greeting: Bool) {
        self.record = record
        if greeting { pending.append(.greeting) }
    }
}
