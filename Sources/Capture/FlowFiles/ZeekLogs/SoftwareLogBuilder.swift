import NetCore
import Records

/// Zeek's software.log fields → `SoftwareRecord`.
struct SoftwareLogBuilder: ZeekLogBuilder {
    private var time: PacketTime?
    private var host: IPAddress?
    private var record = SoftwareRecord(time: .zero, host: .zeroIPv4)

    init() {}

    mutating func set(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "ts": return value.time(name, into: &time)
        case "host": return value.address(name, into: &host)
        case "host_p": return value.port(name, into: &record.hostPort)
        case "software_type": return value.text(name, into: &record.softwareType)
        case "name": return value.text(name, into: &record.name)
        case "version.major": return value.count(name, into: &record.versionMajor)
        case "version.minor": return value.count(name, into: &record.versionMinor)
        case "unparsed_version": return value.text(name, into: &record.unparsedVersion)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        guard let time else { return .failure(ZeekMissingField(name: "ts")) }
        guard let host else { return .failure(ZeekMissingField(name: "host")) }
        var built = record
        built.time = time; built.host = host
        return .success(.software(built))
    }
}
