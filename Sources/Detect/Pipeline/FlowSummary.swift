import NetCore
import Records

/// Totals of the final flow records of a run (interim reports are not counted): flows by conn_state and
/// protocol. Kept by the detection thread.
public struct FlowSummary: Sendable {
    public var flows: UInt64 = 0
    public var byState: [ConnState: UInt64] = [:]
    public var byProtocol: [String: UInt64] = [:]

    public init() {}

    /// Counts one record; interim records are ignored.
    public mutating func count(_ record: ConnRecord) {
        guard record.reason != .interim else { return }
        flows += 1
        byState[record.connState, default: 0] += 1
        byProtocol[record.proto.description, default: 0] += 1
    }
}
