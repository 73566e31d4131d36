import NetCore
import Records
import Synchronization

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

/// Version-4 UUID strings for evidence and alert ids, from a fast generator seeded once.
///
/// The generator is SplitMix64 over one atomic 64-bit state: each id advances the state by two steps of the golden
/// gamma (one atomic add, no lock, safe from any thread) and mixes the two values into the 128 bits of the UUID, of
/// which 122 are kept (the version nibble is 4, the variant bits 10). The state starts from 64 bits of the system
/// RNG (`getrandom`) read once per process, so two runs do not repeat each other's ids. The mix is a bijection of
/// the state, so the two 64-bit halves are distinct for every id of a run (up to 2^63 ids); after the 6 fixed bits,
/// two ids are equal only if 122 well-mixed bits coincide. Ids are unique, not secret: nothing relies on them being
/// unguessable.
public enum EvidenceID {
    private static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let state = Atomic<UInt64>({
        var system = SystemRandomNumberGenerator()
        return system.next()
    }())

    /// A new UUID string, lower-case: `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`.
    public static func make() -> String {
        let first = state.wrappingAdd(gamma &* 2, ordering: .relaxed).newValue
        let high = mix(first &- gamma)
        let low = mix(first)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            func put(_ word: UInt64, _ nibbles: ClosedRange<Int>) {
                for nibble in nibbles {
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        buffer[index] = 0x2D
                        index += 1
                    }
                    var value = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * nibble)) & 0x0F
                    if index == 14 { value = 4 }                       // version 4
                    if index == 19 { value = 0x8 | (value & 0x3) }     // variant 10xx
                    buffer[index] = value < 10 ? 0x30 + value : 0x57 + value
                    index += 1
                }
            }
            put(high, 0...15)
            put(low, 0...15)
            return 36
        }
    }

    /// SplitMix64's finaliser: a bijection of 64-bit values that spreads every input bit over the output.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
