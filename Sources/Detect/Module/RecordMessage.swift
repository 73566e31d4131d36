import NetCore
import Records

/// A record on its channel, with the profile and time window the engine assigned. Fields of the record read
/// directly (`message.originator`, `message.senderIP`).
@dynamicMemberLookup
public struct RecordMessage<Body: RecordBody>: Sendable {
    /// The record.
    public var record: Body
    /// The profile it belongs to (`record.profileIP`).
    public var profile: ProfileID
    /// The time window of its time.
    public var timeWindow: TimeWindow

    /// Creates a message.
    public init(record: Body, profile: ProfileID, timeWindow: TimeWindow) {
        self.record = record; self.profile = profile; self.timeWindow = timeWindow
    }

    /// Reads a field of the record.
    public subscript<T>(dynamicMember field: KeyPath<Body, T>) -> T { record[keyPath: field] }
}

/// A flow on `new_flow`.
public typealias FlowMessage = RecordMessage<ConnRecord>
/// An ARP packet on `new_arp`.
public typealias ARPMessage = RecordMessage<ARPRecord>
/// An SSH identification string on `new_ssh`.
public typealias SSHMessage = RecordMessage<SSHRecord>
/// A DNS query and answer on `new_dns`.
public typealias DNSMessage = RecordMessage<DNSRecord>

extension RecordMessage where Body == ConnRecord {
    /// The flow (the record under the name detectors use).
    public var flow: ConnRecord { record }
    /// Creates a flow message.
    public init(flow: ConnRecord, profile: ProfileID, timeWindow: TimeWindow) {
        self.init(record: flow, profile: profile, timeWindow: timeWindow)
    }
}
