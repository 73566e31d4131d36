import NetCore
import Records
/// One flow's state inside `FlowTable`'s preallocated storage: key, counters, TCP state, Zeek history and the
/// intrusive links of the hash chain, the timeout list and the report list. 188 bytes (stride 192), trivially
/// copyable.
///
/// Field order is chosen for packing (Swift lays out stored properties in declaration order).
struct FlowSlot: BitwiseCopyable {
    /// "No slot" in every 32-bit link.
    static let none: UInt32 = .max

    /// The two addresses' 128 bits; their family is `ipv6Bit` of `originatorTCP` (one family per flow: both
    /// come from the same IP header), so the slot stays under 192 bytes.
    var originatorHigh: UInt64
    var originatorLow: UInt64
    var responderHigh: UInt64
    var responderLow: UInt64
    /// Raw `FlowUID`.
    var uid: UInt64
    /// First and last packet time, µs since the epoch.
    var startTime: Int64
    var lastTime: Int64
    /// Packet time (µs) when the next interim record is due (attempt report or long-lived report).
    var nextReport: Int64
    /// TCP: highest sequence offset reached by this side relative to its initial sequence number (SYN and FIN
    /// octets included). UDP/ICMP/other: sum of payload lengths.
    var originatorSeqOrBytes: UInt64
    var responderSeqOrBytes: UInt64
    var originatorIPBytes: UInt64
    var responderIPBytes: UInt64
    var originatorPackets: UInt64
    var responderPackets: UInt64
    var originatorMAC: MACAddress
    var responderMAC: MACAddress
    var history: ConnHistory
    /// TCP initial sequence numbers (for midstream flows: first sequence number seen minus one).
    var originatorISN: UInt32
    var responderISN: UInt32
    var hashNext: UInt32
    /// Index of the hash bucket whose chain holds the slot (so removal neither rehashes the key nor re-reads it).
    var bucket: UInt32
    var timerPrev: UInt32
    var timerNext: UInt32
    var reportPrev: UInt32
    var reportNext: UInt32
    var originatorPort: UInt16
    var responderPort: UInt16
    var outerVLAN: UInt16
    var innerVLAN: UInt16
    var ipProtocol: UInt8
    /// Originator TCP state in bits 0..<3, its previous state in bits 3..<6, `finSeenBit`, `ipv6Bit`.
    var originatorTCP: UInt8
    /// Responder TCP state, same layout.
    var responderTCP: UInt8
    /// `Flag` bits in 0..<5, timeout class in bits 5..<8.
    var flags: UInt8

    /// Bits of `flags`.
    enum Flag {
        /// One-way ICMP: packets in the reverse direction do not match this flow.
        static let oneWay: UInt8 = 0x01
        /// TCP: `originatorISN` is set.
        static let originatorSeqKnown: UInt8 = 0x02
        /// TCP: `responderISN` is set.
        static let responderSeqKnown: UInt8 = 0x04
        /// The flow is on the attempt-report list (else on the long-lived report list).
        static let inAttemptList: UInt8 = 0x08
        /// The REJ interim record was emitted.
        static let rejectReported: UInt8 = 0x10
    }

    /// A fresh slot for a flow; links are `none`, counters zero.
    init(originator: IPAddress, originatorPort: UInt16, responder: IPAddress, responderPort: UInt16,
         ipProtocol: UInt8, outerVLAN: UInt16, innerVLAN: UInt16, uid: UInt64, time: Int64,
         originatorMAC: MACAddress, responderMAC: MACAddress, timeoutClass: TimeoutClass, oneWay: Bool) {
        self.originatorHigh = originator.high
        self.originatorLow = originator.low
        self.responderHigh = responder.high
        self.responderLow = responder.low
        self.uid = uid
        self.startTime = time
        self.lastTime = time
        self.nextReport = .max
        self.originatorSeqOrBytes = 0
        self.responderSeqOrBytes = 0
        self.originatorIPBytes = 0
        self.responderIPBytes = 0
        self.originatorPackets = 0
        self.responderPackets = 0
        self.originatorMAC = originatorMAC
        self.responderMAC = responderMAC
        self.history = ConnHistory()
        self.originatorISN = 0
        self.responderISN = 0
        self.hashNext = Self.none
        self.bucket = Self.none
        self.timerPrev = Self.none
        self.timerNext = Self.none
        self.reportPrev = Self.none
        self.reportNext = Self.none
        self.originatorPort = originatorPort
        self.responderPort = responderPort
        self.outerVLAN = outerVLAN
        self.innerVLAN = innerVLAN
        self.ipProtocol = ipProtocol
        self.originatorTCP = originator.isIPv4 ? 0 : Self.ipv6Bit
        self.responderTCP = 0
        self.flags = (oneWay ? Flag.oneWay : 0) | timeoutClass.rawValue << 5
    }

    /// Bit of `originatorTCP`: the flow's addresses are IPv6.
    static let ipv6Bit: UInt8 = 0x80

    /// The flow's family.
    var family: IPAddress.Family {
        @inline(__always) get { originatorTCP & Self.ipv6Bit != 0 ? .ipv6 : .ipv4 }
    }

    /// The originator's address.
    var originator: IPAddress {
        @inline(__always) get { IPAddress(family: family, high: originatorHigh, low: originatorLow) }
    }

    /// The responder's address.
    var responder: IPAddress {
        @inline(__always) get { IPAddress(family: family, high: responderHigh, low: responderLow) }
    }

    /// True when the flow's originator is `a` and its responder `b`.
    @inline(__always)
    func hasEndpoints(originator a: IPAddress, responder b: IPAddress) -> Bool {
        originatorLow == a.low && responderLow == b.low && originatorHigh == a.high && responderHigh == b.high
            && family == a.family && a.family == b.family
    }

    @inline(__always) func has(_ flag: UInt8) -> Bool { flags & flag != 0 }
    @inline(__always) mutating func set(_ flag: UInt8) { flags |= flag }
    @inline(__always) mutating func clear(_ flag: UInt8) { flags &= ~flag }

    /// Which timeout list the flow is on.
    var timeoutClass: TimeoutClass {
        @inline(__always) get { TimeoutClass(rawValue: flags >> 5) ?? .tcpActive }
        @inline(__always) set { flags = (flags & 0x1F) | newValue.rawValue << 5 }
    }

    var originatorState: TCPEndpointState {
        @inline(__always) get { TCPEndpointState(rawValue: originatorTCP & 0x07) ?? .inactive }
    }
    var responderState: TCPEndpointState {
        @inline(__always) get { TCPEndpointState(rawValue: responderTCP & 0x07) ?? .inactive }
    }
    var originatorPreviousState: TCPEndpointState {
        TCPEndpointState(rawValue: (originatorTCP >> 3) & 0x07) ?? .inactive
    }
    var responderPreviousState: TCPEndpointState {
        TCPEndpointState(rawValue: (responderTCP >> 3) & 0x07) ?? .inactive
    }

    /// Moves one side to `state`, remembering the state it leaves (Zeek's `SetState`).
    @inline(__always)
    mutating func setState(_ state: TCPEndpointState, originator isOriginator: Bool) {
        if isOriginator {
            originatorTCP = (originatorTCP & Self.keptBits) | (originatorTCP & 0x07) << 3 | state.rawValue
        } else {
            responderTCP = (responderTCP & Self.keptBits) | (responderTCP & 0x07) << 3 | state.rawValue
        }
    }

    /// Bit of `originatorTCP` / `responderTCP`: that side sent a FIN.
    static let finSeenBit: UInt8 = 0x40
    /// Bits a state change keeps.
    private static let keptBits: UInt8 = finSeenBit | ipv6Bit

    /// Notes that one side sent a FIN (its octet is then not payload).
    @inline(__always)
    mutating func setFINSeen(originator isOriginator: Bool) {
        if isOriginator { originatorTCP |= Self.finSeenBit } else { responderTCP |= Self.finSeenBit }
    }

    /// TCP payload bytes of one side from sequence numbers: the offset reached minus the SYN octet and, once that
    /// side sent a FIN, minus the FIN octet (as Zeek does).
    @inline(__always)
    func tcpBytes(originator isOriginator: Bool) -> UInt64 {
        let reached = isOriginator ? originatorSeqOrBytes : responderSeqOrBytes
        let finSeen = (isOriginator ? originatorTCP : responderTCP) & Self.finSeenBit != 0
        let octets: UInt64 = finSeen ? 2 : 1
        return reached > octets ? reached - octets : 0
    }

    /// True for a TCP flow in Zeek's attempt state: originator sent SYN, nothing from the responder.
    @inline(__always)
    var isTCPAttempt: Bool { originatorState == .synSent && responderState == .inactive }
}

/// The inactivity classes of flows; flows of one class share one timeout, so their list in last-activity order
/// is also their expiry order.
enum TimeoutClass: UInt8, CaseIterable {
    /// TCP, not closed by both sides and not reset.
    case tcpActive = 0
    /// TCP with FIN from both sides: lingers `tcpCloseLinger`.
    case tcpClosed
    /// TCP with a RST from either side: lingers `tcpResetLinger`.
    case tcpReset
    case udp
    case icmp
    case other

    /// Number of classes.
    static let count = 6
}
