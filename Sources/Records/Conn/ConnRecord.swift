import NetCore

/// One bidirectional flow as Zeek's conn.log describes it (Zeek's field in each comment): from the flow table
/// when the flow ends, expires, or (for long-lived and unanswered flows) as an interim report while it is still
/// active; or read from a flow file.
///
/// `Sendable` and free of pointers; it crosses from the packet thread to the detection thread.
public struct ConnRecord: Sendable, Hashable {
    /// First packet time (Zeek `ts`).
    public var startTime: PacketTime
    /// Last packet time; `duration = lastTime - startTime`.
    public var lastTime: PacketTime
    public var uid: FlowUID
    public var originator: IPAddress
    public var originatorPort: UInt16
    public var responder: IPAddress
    public var responderPort: UInt16
    public var proto: TransportProtocol
    /// The IP protocol number (useful when `proto == .other`).
    public var ipProtocol: UInt8
    /// Outer/inner VLAN ids (0 when untagged).
    public var outerVLAN: UInt16
    public var innerVLAN: UInt16
    /// Payload bytes: TCP from sequence numbers, UDP/ICMP from the packets' payloads.
    public var originatorBytes: UInt64
    public var responderBytes: UInt64
    public var connState: ConnState
    /// Zeek's `service`: the application protocols recognised on the flow, comma-separated (`dns`, `ssl,http`);
    /// empty when none was.
    public var service: String
    /// Zeek's history letters (`ShADadFf`, …).
    public var history: String
    public var originatorPackets: UInt64
    public var originatorIPBytes: UInt64
    public var responderPackets: UInt64
    public var responderIPBytes: UInt64
    public var originatorMAC: MACAddress
    public var responderMAC: MACAddress
    /// Why this record was emitted.
    public var reason: Reason
    /// TCP: the three-way handshake was proven in order with its acknowledgement numbers (originator SYN, a
    /// responder SYN-ACK acknowledging it, an originator ACK acknowledging the SYN-ACK). Both addresses then
    /// received packets sent to them: neither is a blind forgery. Always false for other protocols and for records
    /// read from files without that proof.
    public var handshake: Bool
    /// The direction was flipped (Zeek's `^`): the first packet seen was a SYN-ACK and its receiver was made the
    /// originator, which never sent a SYN. Such a flow proves nothing about what the originator asked for.
    public var flipped: Bool

    /// Why a flow record left the flow table.
    public enum Reason: String, Sendable, Hashable {
        /// The flow closed (FIN/RST) and its linger time passed, or it went inactive past its timeout.
        case expired
        /// End of input (offline) or shutdown: every live flow is flushed.
        case flushed
        /// Evicted to make room when the table was full (emergency mode).
        case evicted
        /// The flow is still active: an interim report (long-lived flow, or an attempt without answer yet).
        case interim
    }

    /// Flow duration in seconds.
    public var duration: Double { Double(lastTime.microseconds(since: startTime)) / 1_000_000 }

    /// Memberwise initializer.
    public init(startTime: PacketTime, lastTime: PacketTime, uid: FlowUID, originator: IPAddress,
                originatorPort: UInt16, responder: IPAddress, responderPort: UInt16, proto: TransportProtocol,
                ipProtocol: UInt8, outerVLAN: UInt16 = 0, innerVLAN: UInt16 = 0, originatorBytes: UInt64,
                responderBytes: UInt64, connState: ConnState, service: String = "", history: String, originatorPackets: UInt64,
                originatorIPBytes: UInt64, responderPackets: UInt64, responderIPBytes: UInt64,
                originatorMAC: MACAddress = .zero, responderMAC: MACAddress = .zero, reason: Reason = .expired,
                handshake: Bool = false, flipped: Bool = false) {
        self.startTime = startTime; self.lastTime = lastTime; self.uid = uid
        self.originator = originator; self.originatorPort = originatorPort
        self.responder = responder; self.responderPort = responderPort
        self.proto = proto; self.ipProtocol = ipProtocol; self.outerVLAN = outerVLAN; self.innerVLAN = innerVLAN
        self.originatorBytes = originatorBytes; self.responderBytes = responderBytes
        self.connState = connState; self.service = service; self.history = history
        self.originatorPackets = originatorPackets; self.originatorIPBytes = originatorIPBytes
        self.responderPackets = responderPackets; self.responderIPBytes = responderIPBytes
        self.originatorMAC = originatorMAC; self.responderMAC = responderMAC; self.reason = reason
        self.handshake = handshake; self.flipped = flipped
    }
}

extension ConnRecord: RecordBody {
    /// The channel conn records travel on (Slips' `new_flow`).
    public static let channel = "new_flow"
    /// The flow's start (`ts`); time windows are assigned from it.
    public var time: PacketTime { startTime }
    /// The flow's last packet.
    public var latestTime: PacketTime { lastTime }
    /// The profile a flow belongs to: its originator.
    public var profileIP: IPAddress { originator }
    /// Wraps the record for the hand-off.
    public var record: Record { .conn(self) }
    /// The conn record inside `record`, if it is one.
    public static func from(_ record: Record) -> ConnRecord? {
        if case .conn(let value) = record { value } else { nil }
    }
}
