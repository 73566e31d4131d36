import NetCore
import Records

extension HTTPAnalyzerDetector {
    /// `WEIRD_HTTP_METHOD`, threat medium, confidence 0.9: a weird.log record named `unknown_HTTP_method`;
    /// `Weird HTTP method <addl> to IP: <server>. by Zeek.`, attacker the client (SRC), victim the server. Slips
    /// reads the addresses from the connection's conn.log line; the weird record carries the same `id.*`.
    func checkWeirdHTTPMethod(_ message: RecordMessage<WeirdRecord>) {
        let weird = message.record
        guard weird.name.contains("unknown_HTTP_method"), let client = weird.id.originator,
              let server = weird.id.responder else { return }
        context.setEvidence(Evidence(
            type: .WEIRD_HTTP_METHOD, description: "Weird HTTP method \(weird.additional) to IP: \(server). by Zeek.",
            attacker: Attacker(direction: .SRC, value: client.description),
            victim: Victim(direction: .DST, value: server.description),
            threatLevel: .medium, confidence: 0.9, profile: ProfileID(ip: client), timeWindow: message.timeWindow,
            uids: weird.uid.map { [$0] } ?? [], timestamp: weird.time,
            srcPort: weird.id.originatorPort, dstPort: weird.id.responderPort, proto: .tcp))
    }
}
