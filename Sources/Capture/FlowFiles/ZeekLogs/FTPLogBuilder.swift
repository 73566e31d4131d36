import NetCore
import Records

/// Zeek's ftp.log fields → `FTPRecord`.
struct FTPLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = FTPRecord(time: .zero, uid: FlowUID(0), id: .unset)

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "user": return value.text(name, into: &record.user)
        case "command": return value.text(name, into: &record.command)
        case "arg": return value.text(name, into: &record.argument)
        case "reply_code": return value.code(name, into: &record.replyCode)
        case "data_channel.resp_p": return value.port(name, into: &record.dataChannelResponderPort)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireConnection().map { time in
            var built = record
            built.time = time; built.uid = common.uid ?? fallbackUID; built.id = common.id
            return .ftp(built)
        }
    }
}
