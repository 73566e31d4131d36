import NetCore
import Records

/// Zeek's tunnel.log fields → `TunnelRecord`.
struct TunnelLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = TunnelRecord(time: .zero, uid: FlowUID(0), id: .unset)

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "tunnel_type": return value.text(name, into: &record.tunnelType)
        case "action": return value.text(name, into: &record.action)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireConnection().map { time in
            var built = record
            built.time = time; built.uid = common.uid ?? fallbackUID; built.id = common.id
            return .tunnel(built)
        }
    }
}
