import NetCore
import Records

/// Zeek's notice.log fields → `NoticeRecord`.
struct NoticeLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = NoticeRecord(time: .zero)

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "note": return value.text(name, into: &record.note)
        case "msg": return value.text(name, into: &record.message)
        case "sub": return value.text(name, into: &record.subMessage)
        case "src": return value.address(name, into: &record.source)
        case "dst": return value.address(name, into: &record.destination)
        case "p": return value.port(name, into: &record.port)
        case "n": return value.count(name, into: &record.count)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireTime().map { time in
            var built = record
            built.time = time; built.uid = common.uid; built.id = common.id
            return .notice(built)
        }
    }
}
