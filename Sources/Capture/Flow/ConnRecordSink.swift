import NetCore
import Records
/// Receives flow records from a `FlowTable`, on the table's capture thread.
public protocol ConnRecordSink: AnyObject {
    /// A flow ended, expired, was evicted or flushed, or is reported while still active (`record.reason`).
    func flowRecordReady(_ record: ConnRecord)
}
