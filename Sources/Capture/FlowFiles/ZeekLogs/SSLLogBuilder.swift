import NetCore
import Records

/// Zeek's ssl.log fields → `SSLRecord`.
struct SSLLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = SSLRecord(time: .zero, uid: FlowUID(0), id: .unset)

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "version": return value.text(name, into: &record.version)
        case "cipher": return value.text(name, into: &record.cipher)
        case "curve": return value.text(name, into: &record.curve)
        case "server_name": return value.text(name, into: &record.serverName)
        case "resumed": return value.flag(name, into: &record.resumed)
        case "established": return value.flag(name, into: &record.established)
        case "cert_chain_fuids", "cert_chain_fps": return value.list(name, into: &record.certificateChain)
        case "client_cert_chain_fuids", "client_cert_chain_fps": return value.list(name, into: &record.clientCertificateChain)
        case "subject": return value.text(name, into: &record.subject)
        case "issuer": return value.text(name, into: &record.issuer)
        case "validation_status": return value.text(name, into: &record.validationStatus)
        case "ja3": return value.text(name, into: &record.ja3)
        case "ja3s": return value.text(name, into: &record.ja3s)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireConnection().map { time in
            var built = record
            built.time = time; built.uid = common.uid ?? fallbackUID; built.id = common.id
            return .ssl(built)
        }
    }
}
