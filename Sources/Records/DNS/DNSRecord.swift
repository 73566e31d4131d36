import NetCore

/// One DNS query and its answer (Zeek's dns.log line): filled by the DNS analyzer on the packet path, or read
/// from a Zeek dns.log. A plain value; every stored property keeps the name of its Zeek field in its comment.
///
/// A query without a response carries no `rcode`/`rcodeName` and no answers (Zeek leaves them unset); a response
/// seen without its query carries what the response repeats (the question, the id).
public struct DNSRecord: Sendable, Hashable, RecordBody {
    /// The channel DNS records travel on.
    public static let channel = "new_dns"

    /// When the query (or, without one, the response) was seen (`ts`).
    public var time: PacketTime
    /// The flow's uid (`uid`).
    public var uid: FlowUID
    /// The flow's originator (`id.orig_h`, `id.orig_p`).
    public var originator: IPAddress
    public var originatorPort: UInt16
    /// The flow's responder (`id.resp_h`, `id.resp_p`).
    public var responder: IPAddress
    public var responderPort: UInt16
    /// Transport the messages used (`proto`: udp or tcp).
    public var proto: TransportProtocol
    /// The 16-bit transaction id (`trans_id`).
    public var transID: UInt16
    /// Seconds from the query to its response (`rtt`); nil without both.
    public var rtt: Double?
    /// The queried name, dotted, without the trailing dot (`query`); empty when the message had no question.
    public var query: String
    /// The query's class (`qclass`) and its name (`qclass_name`, e.g. `C_INTERNET`).
    public var qclass: UInt16?
    public var qclassName: String?
    /// The query's type (`qtype`) and its name (`qtype_name`, e.g. `A`, `AAAA`, `MX`).
    public var qtype: UInt16?
    public var qtypeName: String?
    /// The response code (`rcode`) and its name (`rcode_name`, e.g. `NOERROR`, `NXDOMAIN`); nil without response.
    public var rcode: UInt8?
    public var rcodeName: String?
    /// Authoritative answer (`AA`), truncated (`TC`), recursion desired (`RD`), recursion available (`RA`).
    public var AA: Bool
    public var TC: Bool
    public var RD: Bool
    public var RA: Bool
    /// The header's reserved 3-bit field (`Z`).
    public var Z: UInt8
    /// The answer section as text (`answers`): addresses for A/AAAA, names for CNAME/PTR/NS/MX/SOA,
    /// `TXT <length> <text>` for TXT.
    public var answers: [String]
    /// Each answer's TTL in seconds, in the order of `answers` (`TTLs`).
    public var TTLs: [Double]
    /// The server refused the query (`rejected`): REFUSED, or an error response that repeats no question.
    public var rejected: Bool

    /// Memberwise initializer.
    public init(time: PacketTime, uid: FlowUID, originator: IPAddress, originatorPort: UInt16,
                responder: IPAddress, responderPort: UInt16, proto: TransportProtocol, transID: UInt16,
                rtt: Double? = nil, query: String, qclass: UInt16? = nil, qclassName: String? = nil,
                qtype: UInt16? = nil, qtypeName: String? = nil, rcode: UInt8? = nil, rcodeName: String? = nil,
                AA: Bool = false, TC: Bool = false, RD: Bool = false, RA: Bool = false, Z: UInt8 = 0,
                answers: [String] = [], TTLs: [Double] = [], rejected: Bool = false) {
        self.time = time; self.uid = uid
        self.originator = originator; self.originatorPort = originatorPort
        self.responder = responder; self.responderPort = responderPort
        self.proto = proto; self.transID = transID; self.rtt = rtt; self.query = query
        self.qclass = qclass; self.qclassName = qclassName; self.qtype = qtype; self.qtypeName = qtypeName
        self.rcode = rcode; self.rcodeName = rcodeName
        self.AA = AA; self.TC = TC; self.RD = RD; self.RA = RA; self.Z = Z
        self.answers = answers; self.TTLs = TTLs; self.rejected = rejected
    }

    /// The profile a DNS record belongs to: the client that asked.
    public var profileIP: IPAddress { originator }
    /// Wraps the record for the hand-off.
    public var record: Record { .dns(self) }
    /// The dns record inside `record`, if it is one.
    public static func from(_ record: Record) -> DNSRecord? {
        if case .dns(let value) = record { value } else { nil }
    }
}
