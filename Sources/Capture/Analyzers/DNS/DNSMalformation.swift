/// Why a DNS message could not be parsed: one case per malformation, each with a stable label and a counter in
/// `DNSMalformationCounters` (as `DecodeError` is for packet headers). The parser throws the first it meets.
public enum DNSMalformation: UInt8, AnalyzerMalformation {
    /// Fewer than the 12 bytes of the header.
    case headerTruncated
    /// More questions than the parser reads (`DNSParser.maxQuestions`).
    case tooManyQuestions
    /// A question's name or its type/class ends past the message.
    case questionTruncated
    /// A name runs past the message.
    case nameTruncated
    /// A label with the reserved type bits 01 or 10.
    case badLabelType
    /// A name longer than 255 bytes in wire form.
    case nameTooLong
    /// A compression pointer that does not point before the name it continues (a possible loop).
    case pointerNotBackwards
    /// More compression jumps than `DNSParser.maxPointerHops`.
    case tooManyPointers
    /// A resource record's fixed part ends past the message.
    case recordTruncated
    /// A resource record's RDATA ends past the message.
    case rdataTruncated
    /// RDATA whose length does not fit its type (an A record of 5 bytes, a name running out of its RDATA).
    case rdataMalformed
    /// DNS over TCP: a length prefix of zero.
    case tcpEmptyMessage

    /// The stable label used in counters and logs.
    public var label: String {
        switch self {
        case .headerTruncated: "dns_header_truncated"
        case .tooManyQuestions: "dns_too_many_questions"
        case .questionTruncated: "dns_question_truncated"
        case .nameTruncated: "dns_name_truncated"
        case .badLabelType: "dns_bad_label_type"
        case .nameTooLong: "dns_name_too_long"
        case .pointerNotBackwards: "dns_pointer_not_backwards"
        case .tooManyPointers: "dns_too_many_pointers"
        case .recordTruncated: "dns_record_truncated"
        case .rdataTruncated: "dns_rdata_truncated"
        case .rdataMalformed: "dns_rdata_malformed"
        case .tcpEmptyMessage: "dns_tcp_empty_message"
        }
    }
}

/// Counts DNS malformations by kind.
public typealias DNSMalformationCounters = MalformationCounters<DNSMalformation>
