import NetCore
import Records

/// One piece of evidence about a profile in a time window, with every field Slips' `Evidence` carries.
public struct Evidence: Sendable, Hashable, Identifiable {
    /// A UUID string.
    public var id: String
    public var type: EvidenceType
    public var description: String
    public var attacker: Attacker
    public var victim: Victim?
    public var threatLevel: ThreatLevel
    /// Clamped to [0, 1].
    public var confidence: Double
    public var profile: ProfileID
    public var timeWindow: TimeWindow
    /// Flows that are part of this evidence.
    public var uids: [FlowUID]
    /// When it happened (packet time of the flow or packet that triggered it).
    public var timestamp: PacketTime
    public var srcPort: UInt16?
    public var dstPort: UInt16?
    public var proto: TransportProtocol?
    /// True when the attacker's address is proven to be real: one of `uids` is a flow in which that address
    /// completed a TCP handshake (`ConnRecord.handshake`), so it is not a blind forgery. Set by the
    /// `DetectionEngine` when the evidence is raised, never by detectors (whatever they set is overwritten).
    public var attackerVerified: Bool

    /// Creates evidence; `confidence` is clamped to [0, 1] and a fresh UUID is assigned when `id` is nil.
    public init(type: EvidenceType, description: String, attacker: Attacker, victim: Victim? = nil,
                threatLevel: ThreatLevel, confidence: Double, profile: ProfileID, timeWindow: TimeWindow,
                uids: [FlowUID], timestamp: PacketTime, srcPort: UInt16? = nil, dstPort: UInt16? = nil,
                proto: TransportProtocol? = nil, id: String? = nil, attackerVerified: Bool = false) {
        self.id = id ?? EvidenceID.make()
        self.type = type; self.description = description; self.attacker = attacker; self.victim = victim
        self.threatLevel = threatLevel; self.confidence = min(max(confidence, 0), 1)
        self.profile = profile; self.timeWindow = timeWindow; self.uids = uids; self.timestamp = timestamp
        self.srcPort = srcPort; self.dstPort = dstPort; self.proto = proto
        self.attackerVerified = attackerVerified
    }

    /// threat level × confidence: this evidence's contribution to its profile's accumulated threat.
    public var weight: Double { threatLevel.value * confidence }
}

/// Random version-4 UUID strings for evidence and alert ids.
public enum EvidenceID {
    /// A new random UUID, lower-case.
    public static func make() -> String {
        var g = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { b -> String in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-"
            + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}
