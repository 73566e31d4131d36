import NetCore
import Records

/// Suricata's `dns` events into the `DNSRecord` Zeek's dns.log and the DNS analyzer fill. Suricata logs a query
/// and its answer as two events; the answer event carries the question (`rrname`, `rrtype`), the `rcode` and the
/// answers, so it becomes the record (one per transaction, as Zeek writes). Query events are counted and skipped;
/// a query never answered is therefore not a record (Zeek would log it with no rcode). Eve versions 2 (the
/// question in the object) and 3 (`queries: [{rrname, rrtype}]`) are read.
enum SuricataDNSEvent {
    /// The record of a `dns` event's object, `.skipped` for a query event, or what is wrong.
    static func record(_ object: FieldBytes, envelope e: SuricataAppEvents.Envelope, proto: TransportProtocol) -> FlowLineOutcome {
        guard let fields = SuricataAppEvents.flatten(object) else { return .problem(.malformedLine, "dns object: not a JSON object") }
        guard let client = e.id.originator, let server = e.id.responder else { return .problem(.missingField, "no src_ip or dest_ip") }
        var queryName = fields["rrname"], queryType = fields["rrtype"]
        var answers: [String] = [], ttls: [Double] = []
        var bad = false
        _ = JSONObjectScanner.forEachMember(in: object) { key, value in
            guard value.kind == .array else { return }
            let isQueries = ByteText.equals(key, "queries"), isAnswers = ByteText.equals(key, "answers")
            guard isQueries || isAnswers else { return }
            let problem = JSONObjectScanner.forEachElement(in: value.bytes) { element in
                guard element.kind == .object, let item = SuricataAppEvents.flatten(element.bytes) else { bad = true; return }
                if isQueries {
                    if queryName == nil { queryName = item["rrname"]; queryType = item["rrtype"] }
                } else if let data = item["rdata"] {
                    answers.append(data)
                    ttls.append(Double(item["ttl"] ?? "") ?? 0)
                }
            }
            if problem != nil { bad = true }
        }
        if bad { return .problem(.malformedLine, "dns object: a query or answer that is not an object") }
        let type = fields["type"] ?? (answers.isEmpty && fields["rcode"] == nil ? "query" : "answer")
        if type == "query" || type == "request" { return .skipped(.dnsQueryEvent) }
        guard let name = queryName else { return .problem(.missingField, "dns answer without rrname") }
        var transID: UInt16 = 0
        if let id = fields["id"] {
            guard let value = UInt16(id) else { return .problem(.badField, "dns.id: '\(id)' is not a DNS id") }
            transID = value
        }
        let flag = { (key: String) in fields[key] == "true" }
        return .record(.dns(DNSRecord(
            time: e.time, uid: e.uid, originator: client, originatorPort: e.id.originatorPort, responder: server,
            responderPort: e.id.responderPort, proto: proto, transID: transID, query: name,
            qtypeName: queryType, rcodeName: fields["rcode"], AA: flag("aa"), TC: flag("tc"), RD: flag("rd"),
            RA: flag("ra"), answers: answers, TTLs: ttls)))
    }
}
