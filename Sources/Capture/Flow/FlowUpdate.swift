import NetCore
import Records
/// What `FlowTable.process(_:)` did with a packet: which flow it belongs to and in which direction, so the caller
/// can tag events (an SSH banner, a DNS answer) with the flow's uid.
public struct FlowUpdate: Sendable, Hashable, BitwiseCopyable {
    /// The flow's uid; the same uid appears in the flow's records.
    public var uid: FlowUID
    /// True when the packet was sent by the flow's originator.
    public var isOriginator: Bool
    /// True when this packet created the flow.
    public var isNewFlow: Bool
    /// TCP: the three-way handshake was proven (SYN, a SYN-ACK acknowledging it, an ACK acknowledging the
    /// SYN-ACK; see `ConnRecord.handshake`); always false for other protocols. Application analyzers believe only established flows.
    public var isEstablished: Bool
    /// The flow table slot holding the flow (an index for side tables such as the analyzers'); `UInt32.max`
    /// when unknown.
    public var slot: UInt32
    /// TCP: the packet's sequence number relative to its sender's initial sequence number (1 for the first
    /// payload byte after the SYN); 0 when the sender's ISN is unknown and for other protocols. Lets content
    /// probes look only at the start of each direction.
    public var streamOffset: UInt32

    /// Creates the value.
    public init(uid: FlowUID, isOriginator: Bool, isNewFlow: Bool, isEstablished: Bool = false,
                slot: UInt32 = .max, streamOffset: UInt32 = 0) {
        self.uid = uid
        self.isOriginator = isOriginator
        self.isNewFlow = isNewFlow
        self.isEstablished = isEstablished
        self.slot = slot
        self.streamOffset = streamOffset
    }
}
