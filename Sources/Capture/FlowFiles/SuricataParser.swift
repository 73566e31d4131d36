import NetCore
import Records

/// Suricata's eve.json: one event per line. `flow` events become conn records; `alert`, `anomaly` and `stats`
/// are counted and skipped (Slips ignores them too); `http`, `tls`, `fileinfo` and `ssh` become application-layer
/// records (`SuricataAppEvents`, `SuricataDNSEvent`); any other `event_type` is reported.
///
/// A flow: `src_ip`/`src_port` → originator, `dest_ip`/`dest_port` → responder, `proto`, `app_proto` → service
/// (unless `failed`), `flow_id` → uid, `flow.start`/`flow.end` → times, `pkts_toserver`/`bytes_toserver` →
/// originator counts, `…_toclient` → responder counts (Suricata counts whole packets: they fill both the payload
/// and the IP byte counts). The state follows Slips: `new` and `established` are established, `closed` is not
/// (Slips' `get_final_state_from_flags`); as conn states: established → `SF` with replies, `OTH` without;
/// not established → `REJ` when the TCP flags show a reset and the server answered, else `S0`. ICMP is `OTH`.
/// Confined to the reading thread.
struct SuricataParser {
    private var uids = FallbackUIDs()

    init() {}

    /// Reads one line.
    mutating func parse(_ line: FieldBytes) -> FlowLineOutcome {
        if ByteText.trimmed(line).isEmpty { return .header }
        var eventType = ByteText.slice(line, 0..<0)
        var flowObject: FieldBytes?
        var tcpObject: FieldBytes?
        var builder = ConnRecordBuilder()
        var problem: String?
        var flowID: UInt64?
        var service = eventType
        var timestamp: FieldBytes?
        var appObject: (key: FieldBytes, value: FieldBytes)?
        let malformed = JSONObjectScanner.forEachMember(in: line) { key, value in
            guard problem == nil else { return }
            if ByteText.equals(key, "event_type") { eventType = value.bytes; return }
            if ByteText.equals(key, "timestamp") { timestamp = value.bytes; return }
            if value.kind == .object, Self.isAppEvent(key) { appObject = (key, value.bytes); return }
            if ByteText.equals(key, "flow") { flowObject = value.kind == .object ? value.bytes : nil; return }
            if ByteText.equals(key, "tcp") { tcpObject = value.kind == .object ? value.bytes : nil; return }
            if ByteText.equals(key, "flow_id") { flowID = ByteText.unsigned(value.bytes); return }
            if ByteText.equals(key, "app_proto") { service = value.bytes; return }
            let field: ConnField
            if ByteText.equals(key, "src_ip") { field = .origHost }
            else if ByteText.equals(key, "dest_ip") { field = .respHost }
            else if ByteText.equals(key, "src_port") { field = .origPort }
            else if ByteText.equals(key, "dest_port") { field = .respPort }
            else if ByteText.equals(key, "proto") { field = .proto }
            else if ByteText.equals(key, "icmp_type") { field = .origPort }     // ICMP: type and code in the ports,
            else if ByteText.equals(key, "icmp_code") { field = .respPort }     // as Zeek writes them
            else { return }
            if value.kind == .null { return }
            if let why = builder.set(field, value.bytes) { problem = why.replacingZeekName(of: field, with: key) }
        }
        if let malformed { return .problem(.malformedLine, malformed) }
        if eventType.isEmpty { return .problem(.missingField, "no event_type") }
        if Self.isAppEvent(eventType) {
            if let problem { return .problem(.badField, problem) }
            return appEvent(eventType, timestamp: timestamp, builder: builder, flowID: flowID, appProto: service,
                            object: appObject.flatMap { $0.key.elementsEqual(eventType) ? $0.value : nil })
        }
        if !ByteText.equals(eventType, "flow") { return Self.otherEvent(eventType) }
        if let problem { return .problem(.badField, problem) }
        guard let flowObject else { return .problem(.missingField, "a flow event without its \"flow\" object") }
        if !service.isEmpty, !ByteText.equals(service, "failed") { builder.service = ByteText.string(service) }

        var counts = (toServer: UInt64(0), toClient: UInt64(0), bytesToServer: UInt64(0), bytesToClient: UInt64(0))
        var end: Int64?
        var established = true
        let flowMalformed = JSONObjectScanner.forEachMember(in: flowObject) { key, value in
            guard problem == nil else { return }
            if ByteText.equals(key, "start") || ByteText.equals(key, "end") {
                guard let micros = CivilTime.microseconds(value.bytes) else {
                    problem = "flow.\(ByteText.string(key)): '\(ByteText.string(value.bytes))' is not a time"
                    return
                }
                if key.count == 5 { builder.startMicroseconds = micros } else { end = micros }
            } else if ByteText.equals(key, "state") {
                established = !ByteText.equals(value.bytes, "closed")
            } else if ByteText.hasPrefix(key, "pkts_to") || ByteText.hasPrefix(key, "bytes_to") {
                guard let number = ByteText.unsigned(value.bytes) else {
                    problem = "flow.\(ByteText.string(key)): '\(ByteText.string(value.bytes))' is not a count"
                    return
                }
                if ByteText.equals(key, "pkts_toserver") { counts.toServer = number }
                else if ByteText.equals(key, "pkts_toclient") { counts.toClient = number }
                else if ByteText.equals(key, "bytes_toserver") { counts.bytesToServer = number }
                else if ByteText.equals(key, "bytes_toclient") { counts.bytesToClient = number }
            }
        }
        if let flowMalformed { return .problem(.malformedLine, "flow object: \(flowMalformed)") }
        if let problem { return .problem(.badField, problem) }
        guard let start = builder.startMicroseconds else { return .problem(.missingField, "no flow.start") }
        if let end { builder.durationMicroseconds = max(0, end - start) }
        builder.originatorPackets = counts.toServer
        builder.responderPackets = counts.toClient
        builder.originatorBytes = counts.bytesToServer
        builder.originatorIPBytes = counts.bytesToServer
        builder.responderBytes = counts.bytesToClient
        builder.responderIPBytes = counts.bytesToClient
        if let flowID { builder.uid = FlowUID(flowID) }
        if let proto = builder.proto {
            builder.connState = Self.connState(proto: proto, established: established, answered: counts.toClient > 0,
                                               reset: tcpObject.map(Self.hasReset) ?? false)
        }
        switch builder.build(fallbackUID: FlowUID(0)) {
        case .success(let record): return .record(.conn(record))
        case .failure(.field(let name)): return .problem(.missingField, "no \(Self.suricataName(name))")
        }
    }

    /// `http`, `tls`, `fileinfo`, `ssh`, `dns`: events read into application-layer records.
    private static func isAppEvent(_ type: FieldBytes) -> Bool {
        ByteText.equals(type, "http") || ByteText.equals(type, "tls") || ByteText.equals(type, "fileinfo")
            || ByteText.equals(type, "ssh") || ByteText.equals(type, "dns")
    }

    private mutating func appEvent(_ type: FieldBytes, timestamp: FieldBytes?, builder: ConnRecordBuilder,
                                   flowID: UInt64?, appProto: FieldBytes, object: FieldBytes?) -> FlowLineOutcome {
        guard let timestamp else { return .problem(.missingField, "no timestamp") }
        guard let micros = CivilTime.microseconds(timestamp) ?? ByteText.microseconds(timestamp) else {
            return .problem(.badField, "timestamp: '\(ByteText.string(timestamp))' is not a time")
        }
        let id = ConnectionID(originator: builder.originator, originatorPort: builder.originatorPort,
                              responder: builder.responder, responderPort: builder.responderPort)
        let envelope = SuricataAppEvents.Envelope(time: ConnRecordBuilder.clamped(micros),
                                                  uid: flowID.map(FlowUID.init) ?? uids.next(), id: id,
                                                  appProto: ByteText.string(appProto), proto: builder.proto ?? .udp)
        return SuricataAppEvents.record(type: ByteText.string(type), envelope: envelope, object: object)
    }

    private static func otherEvent(_ type: FieldBytes) -> FlowLineOutcome {
        let name = ByteText.string(type)
        switch name {
        case "alert", "anomaly", "stats": return .skipped(.ignoredEvent(name))
        default: return .problem(.unsupportedEvent, "event_type '\(name)'")
        }
    }

    static func connState(proto: TransportProtocol, established: Bool, answered: Bool, reset: Bool) -> ConnState {
        if proto == .icmp || proto == .icmpv6 { return .OTH }
        if established { return answered ? .SF : .OTH }
        return reset && answered ? .REJ : .S0
    }

    /// The `tcp` object says `"rst":true`.
    private static func hasReset(_ object: FieldBytes) -> Bool {
        var reset = false
        _ = JSONObjectScanner.forEachMember(in: object) { key, value in
            if ByteText.equals(key, "rst"), ByteText.equals(value.bytes, "true") { reset = true }
        }
        return reset
    }

    private static func suricataName(_ zeekName: StaticString) -> String {
        switch "\(zeekName)" {
        case "id.orig_h": "src_ip"
        case "id.resp_h": "dest_ip"
        case "ts": "flow.start"
        default: "\(zeekName)"
        }
    }
}

extension String {
    /// A field problem worded with the input's own key (`src_port: …` rather than `id.orig_p: …`).
    fileprivate func replacingZeekName(of field: ConnField, with key: FieldBytes) -> String {
        let zeek = "\(field.zeekName)"
        guard hasPrefix(zeek) else { return self }
        return ByteText.string(key) + dropFirst(zeek.count)
    }
}
