import NetCore
import Records

/// Zeek's x509.log fields → `X509Record`.
struct X509LogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = X509Record(time: .zero, fileID: "")

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "id", "fingerprint": return value.text(name, into: &record.fileID)
        case "certificate.version": return value.count(name, into: &record.version)
        case "certificate.serial": return value.text(name, into: &record.serial)
        case "certificate.subject": return value.text(name, into: &record.subject)
        case "certificate.issuer": return value.text(name, into: &record.issuer)
        case "certificate.not_valid_before": return value.time(name, into: &record.notValidBefore)
        case "certificate.not_valid_after": return value.time(name, into: &record.notValidAfter)
        case "certificate.key_alg": return value.text(name, into: &record.keyAlgorithm)
        case "certificate.sig_alg": return value.text(name, into: &record.signatureAlgorithm)
        case "certificate.key_type": return value.text(name, into: &record.keyType)
        case "certificate.key_length": return value.count(name, into: &record.keyLength)
        case "san.dns": return value.list(name, into: &record.sanDNS)
        case "san.ip": return value.addresses(name, into: &record.sanIP)
        case "basic_constraints.ca": return value.flag(name, into: &record.isCA)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        guard !record.fileID.isEmpty else { return .failure(ZeekMissingField(name: "id")) }
        return common.requireTime().map { time in
            var built = record
            built.time = time
            return .x509(built)
        }
    }
}
