import NetCore
import Records

/// Zeek's weird.log fields → `WeirdRecord`.
struct WeirdLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = WeirdRecord(time: .zero)

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "name": return value.text(name, into: &record.name)
        case "addl": return value.text(name, into: &record.additional)
        case "notice": return value.flag(name, into: &record.notice)
        case "peer": return value.text(name, into: &record.peer)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireTime().map { time in
            var built = record
            built.time = time; built.uid = common.uid; built.id = common.id
            return .weird(built)
        }
    }
}
