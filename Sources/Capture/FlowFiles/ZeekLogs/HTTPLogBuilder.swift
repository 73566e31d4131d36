import NetCore
import Records

/// Zeek's http.log fields → `HTTPRecord`.
struct HTTPLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = HTTPRecord(time: .zero, uid: FlowUID(0), id: .unset)

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "method": return value.text(name, into: &record.method)
        case "host": return value.text(name, into: &record.host)
        case "uri": return value.text(name, into: &record.uri)
        case "trans_depth": return value.count(name, into: &record.transDepth)
        case "referrer": return value.text(name, into: &record.referrer)
        case "version": return value.text(name, into: &record.version)
        case "user_agent": return value.text(name, into: &record.userAgent)
        case "request_body_len": return value.count(name, into: &record.requestBodyLength)
        case "response_body_len": return value.count(name, into: &record.responseBodyLength)
        case "status_code": return value.code(name, into: &record.statusCode)
        case "status_msg": return value.text(name, into: &record.statusMessage)
        case "resp_mime_types": return value.list(name, into: &record.responseMIMETypes)
        case "resp_fuids": return value.list(name, into: &record.responseFUIDs)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireConnection().map { time in
            var built = record
            built.time = time; built.uid = common.uid ?? fallbackUID; built.id = common.id
            return .http(built)
        }
    }
}
