/// Why an SMTP command or reply could not be read (RFC 5321), counted in `AnalyzerStatistics.smtpMalformations`.
public enum SMTPMalformation: UInt8, AnalyzerMalformation {
    /// A line longer than `SMTPLine.maxLength` (the direction stops).
    case lineTooLong
    /// A server line that is not `3DIGIT [SP / - text]` (the direction stops).
    case badReply
    /// More commands awaiting replies than `SMTPSession.maxPending` (the oldest is dropped).
    case tooManyPending
    /// A `BDAT` whose size is not a number (RFC 3030; the analysis of the flow stops).
    case badChunkSize

    /// The stable label used in counters and logs.
    public var label: String {
        switch self {
        case .lineTooLong: "smtp_line_too_long"
        case .badReply: "smtp_bad_reply"
        case .tooManyPending: "smtp_too_many_pending"
        case .badChunkSize: "smtp_bad_chunk_size"
        }
    }
}
