import NetCore
import Records

/// Zeek's files.log fields → `FilesRecord`.
struct FilesLogBuilder: ZeekCommonFieldsBuilder {
    var common = ZeekCommonFields()
    private var record = FilesRecord(time: .zero, fileID: "")

    init() {}

    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "fuid": return value.text(name, into: &record.fileID)
        case "tx_hosts": return value.addresses(name, into: &record.transmitters)
        case "rx_hosts": return value.addresses(name, into: &record.receivers)
        case "conn_uids": return value.uids(name, into: &record.connectionUIDs)
        case "source": return value.text(name, into: &record.source)
        case "depth": return value.count(name, into: &record.depth)
        case "analyzers": return value.list(name, into: &record.analyzers)
        case "mime_type": return value.text(name, into: &record.mimeType)
        case "filename": return value.text(name, into: &record.filename)
        case "seen_bytes": return value.count(name, into: &record.seenBytes)
        case "total_bytes": return value.count(name, into: &record.totalBytes)
        case "md5": return value.text(name, into: &record.md5)
        case "sha1": return value.text(name, into: &record.sha1)
        case "sha256": return value.text(name, into: &record.sha256)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        guard !record.fileID.isEmpty else { return .failure(ZeekMissingField(name: "fuid")) }
        return common.requireTime().map { time in
            var built = record
            built.time = time
            return .files(built)
        }
    }
}
