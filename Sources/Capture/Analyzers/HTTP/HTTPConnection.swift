import NetCore
import Records

/// One HTTP connection's state: the requests waiting for their responses (pipelining, oldest first), each
/// direction's position (in a head or in a body and how it is framed), and the response body being sniffed and
/// hashed. Allocated when the HTTP analyzer claims a flow (its `AnalyzedFlow.http`); freed at the flow's end.
final class HTTPConnection {
    /// A request seen, with the record it fills.
    struct Transaction {
        var record: HTTPRecord
        var isHead: Bool
        var isConnect: Bool
    }

    /// Where a direction is.
    enum Phase: Equatable {
        case head
        case body(HTTPBodyFraming)
        /// Given up (a malformation, or a protocol switch): its bytes are skipped.
        case stopped
    }

    /// The response body being read: its transaction, first bytes for sniffing, hashes, size.
    struct ResponseBody {
        var transaction: Transaction
        var sniff: [UInt8] = []
        var hashes: BodyHashes
        var seen: UInt64 = 0
        var totalBytes: UInt64 = 0
        var stopsAnalysis = false
    }

    /// Bytes the budget is charged for a connection (the object and its small arrays).
    static let cost = 1_024

    var pending: [Transaction] = []
    var requestPhase = Phase.head
    var responsePhase = Phase.head
    var response: ResponseBody?
    /// How far the search for the end of each direction's current head got (resumed at the next segment).
    var requestScan = HTTPHeadScan()
    var responseScan = HTTPHeadScan()
    /// Requests seen on the connection (Zeek's `trans_depth` of the next one is this plus one).
    var depth: UInt64 = 0
}
