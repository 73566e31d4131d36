import NetCore
import Records
@testable import Detect

extension DetectorsTestKit {
    /// A `new_dns` message: a dns record of flow `uid` `seconds` after `t0`, from `client` to `server`:53/udp,
    /// in the client's profile and the window of its time.
    static func dns(uid: UInt64, at seconds: Double = 0, client: IPAddress, server: IPAddress = ip("192.168.1.1"),
                    query: String, qtype: String = "A", rcode: String? = "NOERROR",
                    answers: [String] = []) -> ChannelMessage {
        let time = at(seconds)
        let record = DNSRecord(time: time, uid: FlowUID(uid), originator: client, originatorPort: 40_000,
                               responder: server, responderPort: 53, proto: .udp, transID: UInt16(truncatingIfNeeded: uid),
                               query: query, qclass: 1, qclassName: "C_INTERNET", qtype: qtype == "TXT" ? 16 : 1,
                               qtypeName: qtype, rcode: rcode == "NXDOMAIN" ? 3 : (rcode == nil ? nil : 0),
                               rcodeName: rcode, answers: answers, TTLs: answers.map { _ in 60 })
        return .record(DNSMessage(record: record, profile: ProfileID(ip: client), timeWindow: window(for: time)))
    }
}
