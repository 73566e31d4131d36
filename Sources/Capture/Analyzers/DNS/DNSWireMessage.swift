/// A parsed DNS message (RFC 1035 §4.1): the header, the first question, and the answer section rendered as
/// Zeek's dns.log renders it. Authority and additional sections are not read (Zeek's `answers` holds the answer
/// section only). Produced by `DNSParser`; owns its values (nothing points into packet bytes).
public struct DNSWireMessage: Sendable, Hashable {
    /// The transaction id.
    public var id: UInt16
    /// True for a response (QR bit).
    public var isResponse: Bool
    /// The 4-bit opcode (0 for a standard query).
    public var opcode: UInt8
    /// Authoritative answer, truncated, recursion desired, recursion available.
    public var AA: Bool, TC: Bool, RD: Bool, RA: Bool
    /// The reserved 3-bit Z field.
    public var Z: UInt8
    /// The 4-bit response code.
    public var rcode: UInt8
    /// Number of questions the header announces.
    public var questionCount: UInt16
    /// The first question, when there is one.
    public var question: Question?
    /// The answer section's records of the types the parser renders, in order.
    public var answers: [Answer]

    /// One question: name, type, class.
    public struct Question: Sendable, Hashable {
        /// The name, dotted, without the trailing dot ("" for the root).
        public var name: String
        public var type: UInt16
        public var qclass: UInt16

        /// Creates a question.
        public init(name: String, type: UInt16, qclass: UInt16) { self.name = name; self.type = type; self.qclass = qclass }
    }

    /// One answer: its type, TTL in seconds and its text as Zeek logs it.
    public struct Answer: Sendable, Hashable {
        public var type: UInt16
        public var ttl: UInt32
        public var text: String

        /// Creates an answer.
        public init(type: UInt16, ttl: UInt32, text: String) { self.type = type; self.ttl = ttl; self.text = text }
    }
}
