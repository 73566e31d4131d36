import NetCore
import Records

/// Zeek's ssh.log fields → `SSHRecord` (the client's banner, with the rest of the line in `SSHLogDetails`).
struct SSHLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var client = ""
    private var details = SSHLogDetails()

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "client": return value.text(name, into: &client)
        case "server": return value.text(name, into: &details.serverBanner)
        case "version": return value.count(name, into: &details.version)
        case "auth_success": return value.flag(name, into: &details.authSuccess)
        case "auth_attempts": return value.count(name, into: &details.authAttempts)
        case "cipher_alg": return value.text(name, into: &details.cipherAlgorithm)
        case "mac_alg": return value.text(name, into: &details.macAlgorithm)
        case "compression_alg": return value.text(name, into: &details.compressionAlgorithm)
        case "kex_alg": return value.text(name, into: &details.keyExchangeAlgorithm)
        case "host_key_alg": return value.text(name, into: &details.hostKeyAlgorithm)
        case "host_key": return value.text(name, into: &details.hostKey)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        common.requireConnection().map { time in
            .ssh(SSHRecord(time: time, uid: common.uid ?? fallbackUID, client: common.id.originator!,
                           clientPort: common.id.originatorPort, server: common.id.responder!,
                           serverPort: common.id.responderPort, banner: client, fromServer: false, log: details))
        }
    }
}
