import NetCore
import Records

/// Suricata's application-layer events (`http`, `tls`, `fileinfo`, `ssh`; `dns` in `SuricataDNSEvent`) into the records Zeek's http.log,
/// ssl.log, files.log and ssh.log fill: the event's own object (`"http": {…}`) gives the fields, the event's
/// `timestamp`, `flow_id` and addresses the rest. As Slips does for Suricata files, a `fileinfo` record belongs to
/// `src_ip` (its receiver) and came from `dest_ip`.
enum SuricataAppEvents {
    /// What the event line said outside its own object.
    struct Envelope {
        var time: PacketTime
        var uid: FlowUID
        var id: ConnectionID
        var appProto: String
        /// `proto` of the event (DNS over UDP or TCP).
        var proto: TransportProtocol = .udp
    }

    /// The record of an event of `type`, or what is wrong with it.
    static func record(type: String, envelope: Envelope, object: FieldBytes?) -> FlowLineOutcome {
        guard let object else { return .problem(.missingField, "a \(type) event without its \"\(type)\" object") }
        guard let fields = flatten(object) else { return .problem(.malformedLine, "\(type) object: not a JSON object") }
        let e = envelope
        if type == "dns" { return SuricataDNSEvent.record(object, envelope: e, proto: e.proto) }
        switch type {
        case "http":
            var http = HTTPRecord(time: e.time, uid: e.uid, id: e.id)
            http.host = fields["hostname"] ?? ""
            http.uri = fields["url"] ?? ""
            http.userAgent = fields["http_user_agent"] ?? ""
            http.method = fields["http_method"] ?? ""
            http.version = (fields["protocol"] ?? "").replacingPrefix("HTTP/")
            if let status = fields["status"] {
                guard let code = UInt16(status) else { return .problem(.badField, "http.status: '\(status)' is not a count") }
                http.statusCode = code
            }
            if let length = fields["length"] {
                guard let bytes = UInt64(length) else { return .problem(.badField, "http.length: '\(length)' is not a count") }
                http.responseBodyLength = bytes
            }
            if let type = fields["http_content_type"] { http.responseMIMETypes = [type] }
            return .record(.http(http))
        case "tls":
            var tls = SSLRecord(time: e.time, uid: e.uid, id: e.id)
            tls.version = fields["version"] ?? ""
            tls.serverName = fields["sni"] ?? ""
            tls.subject = fields["subject"] ?? ""
            tls.issuer = fields["issuerdn"] ?? ""
            tls.ja3 = fields["ja3.hash"] ?? ""
            tls.ja3s = fields["ja3s.hash"] ?? ""
            if let fingerprint = fields["fingerprint"] { tls.certificateChain = [fingerprint] }
            return .record(.ssl(tls))
        case "fileinfo":
            var file = FilesRecord(time: e.time, fileID: fields["file_id"] ?? "\(e.uid)-\(fields["tx_id"] ?? "0")")
            if let receiver = e.id.originator { file.receivers = [receiver] }
            if let sender = e.id.responder { file.transmitters = [sender] }
            file.connectionUIDs = [e.uid]
            file.source = e.appProto.uppercased()
            file.filename = fields["filename"] ?? ""
            file.mimeType = fields["magic"] ?? ""
            file.md5 = fields["md5"] ?? ""
            file.sha1 = fields["sha1"] ?? ""
            file.sha256 = fields["sha256"] ?? ""
            if let size = fields["size"] {
                guard let bytes = UInt64(size) else { return .problem(.badField, "fileinfo.size: '\(size)' is not a count") }
                file.totalBytes = bytes
                file.seenBytes = bytes
            }
            return .record(.files(file))
        default:                                                    // ssh
            guard let client = e.id.originator, let server = e.id.responder else {
                return .problem(.missingField, "no src_ip or dest_ip")
            }
            var details = SSHLogDetails()
            details.version = UInt64((fields["client.proto_version"] ?? "").prefix { $0 != "." }) ?? 0
            details.serverBanner = banner(fields["server.proto_version"], fields["server.software_version"])
            let record = SSHRecord(time: e.time, uid: e.uid, client: client, clientPort: e.id.originatorPort,
                                   server: server, serverPort: e.id.responderPort,
                                   banner: banner(fields["client.proto_version"], fields["client.software_version"]),
                                   fromServer: false, log: details)
            return .record(.ssh(record))
        }
    }

    /// `SSH-2.0-OpenSSH_8.9` from its parts.
    private static func banner(_ proto: String?, _ software: String?) -> String {
        guard let proto else { return software ?? "" }
        return "SSH-\(proto)-\(software ?? "")"
    }

    /// The members of an object as text, nested objects one level deep as `outer.inner` (`ja3.hash`); arrays are
    /// left out. Nil when the object is malformed.
    static func flatten(_ object: FieldBytes, prefix: String = "") -> [String: String]? {
        var fields: [String: String] = [:]
        var bad = false
        let problem = JSONObjectScanner.forEachMember(in: object) { key, value in
            let name = prefix + ByteText.string(key)
            switch value.kind {
            case .string:
                if value.escaped {
                    guard let text = JSONObjectScanner.decodedString(value.bytes) else { bad = true; return }
                    fields[name] = text
                } else {
                    fields[name] = ByteText.string(value.bytes)
                }
            case .number, .bool: fields[name] = ByteText.string(value.bytes)
            case .object where prefix.isEmpty:
                guard let inner = flatten(value.bytes, prefix: name + ".") else { bad = true; return }
                fields.merge(inner) { first, _ in first }
            case .object, .array, .null: break
            }
        }
        return problem == nil && !bad ? fields : nil
    }
}

extension String {
    /// The text without `prefix` when it starts with it.
    fileprivate func replacingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
