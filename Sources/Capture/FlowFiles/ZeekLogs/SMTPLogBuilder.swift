import NetCore
import Records

/// Zeek's smtp.log fields → `SMTPRecord`.
struct SMTPLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = SMTPRecord(time: .zero, uid: FlowUID(0), id: .unset)

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "helo": return value.text(name, into: &record.helo)
        case "mailfrom": return value.text(name, into: &record.mailFrom)
        case "rcptto": return value.list(name, into: &record.recipients)
        case "from": return value.text(name, into: &record.from)
        case "to": return value.list(name, into: &record.to)
        case "subject": return value.text(name, into: &record.subject)
        case "last_reply": return value.text(name, into: &record.lastReply)
        case "user_agent": return value.text(name, into: &record.userAgent)
        case "tls": return value.flag(name, into: &record.tls)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireConnection().map { time in
            var built = record
            built.time = time; built.uid = common.uid ?? fallbackUID; built.id = common.id
            return .smtp(built)
        }
    }
}
