import NetCore
import Records

/// Collects the fields of one line of a Zeek log of one kind (TSV or JSON, by Zeek's field names) and makes its
/// record. A value type made fresh for every line. Adding a log kind: one type conforming to this, and one case
/// in `ZeekLogKind`.
protocol ZeekLogBuilder {
    /// A builder with every field unset.
    init()
    /// Sets the field `name` (Zeek's column name, e.g. `id.orig_h`); names the kind does not use are ignored.
    /// - Returns: the problem when the value does not fit the field's type.
    mutating func set(_ name: String, _ value: ZeekFieldValue) -> String?
    /// The record, or the name of the first field the line needs and lacked.
    /// - Parameter fallbackUID: the uid of a line that carried none slipsd can keep.
    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField>
}

/// A builder of a log whose lines carry Zeek's common fields (`ts`, `uid`, `id.*`): those are read into `common`,
/// every other field goes to `setOwn`.
protocol ZeekCommonFieldsBuilder: ZeekLogBuilder {
    /// `ts`, `uid` and the connection id of the line.
    var common: ZeekCommonFields { get set }
    /// Sets a field that is not one of the common ones; see `ZeekLogBuilder.set`.
    mutating func setOwn(_ name: String, _ value: ZeekFieldValue) -> String?
}

extension ZeekCommonFieldsBuilder {
    mutating func set(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch common.set(name, value) {
        case .set: return nil
        case .wrong(let problem): return problem
        case .notCommon: return setOwn(name, value)
        }
    }
}

/// A field a record needs that the line lacked.
struct ZeekMissingField: Error {
    /// Zeek's name of it (`ts`, `id.orig_h`).
    var name: String
}

/// The fields most Zeek logs share: `ts`, `uid` and the `id` record.
struct ZeekCommonFields {
    var time: PacketTime?
    var uid: FlowUID?
    var id = ConnectionID.unset

    /// What `set` did with a field.
    enum Outcome {
        /// Not one of the shared fields.
        case notCommon
        /// Set.
        case set
        /// One of them, with a value of the wrong type.
        case wrong(String)
    }

    mutating func set(_ name: String, _ value: ZeekFieldValue) -> Outcome {
        let problem: String?
        switch name {
        case "ts": problem = value.time(name, into: &time)
        case "uid": problem = value.uid(name, into: &uid)
        case "id.orig_h": problem = value.address(name, into: &id.originator)
        case "id.orig_p": problem = value.port(name, into: &id.originatorPort)
        case "id.resp_h": problem = value.address(name, into: &id.responder)
        case "id.resp_p": problem = value.port(name, into: &id.responderPort)
        default: return .notCommon
        }
        return problem.map(Outcome.wrong) ?? .set
    }

    /// The time, or `ts` as the missing field.
    func requireTime() -> Result<PacketTime, ZeekMissingField> {
        time.map(Result.success) ?? .failure(ZeekMissingField(name: "ts"))
    }

    /// The time and the originator (logs about a connection need both).
    func requireConnection() -> Result<PacketTime, ZeekMissingField> {
        guard let time else { return .failure(ZeekMissingField(name: "ts")) }
        guard id.originator != nil else { return .failure(ZeekMissingField(name: "id.orig_h")) }
        guard id.responder != nil else { return .failure(ZeekMissingField(name: "id.resp_h")) }
        return .success(time)
    }
}
