import NetCore

/// An alert: enough evidence about one profile in one time window.
public struct Alert: Sendable, Hashable, Identifiable {
    /// A unique id (the IDMEFv2 Incident's id).
    public var id: String
    /// The profile the alert is about.
    public var profile: ProfileID
    /// The window whose evidence crossed the threshold.
    public var timeWindow: TimeWindow
    /// The evidence that made up the accumulated threat.
    public var evidence: [Evidence]
    /// Σ threat × confidence that crossed the threshold.
    public var accumulatedThreat: Double
    /// Packet time of the evidence that crossed the threshold.
    public var timestamp: PacketTime

    /// Creates an alert.
    public init(id: String = EvidenceID.make(), profile: ProfileID, timeWindow: TimeWindow, evidence: [Evidence],
                accumulatedThreat: Double, timestamp: PacketTime) {
        self.id = id; self.profile = profile; self.timeWindow = timeWindow; self.evidence = evidence
        self.accumulatedThreat = accumulatedThreat; self.timestamp = timestamp
    }

    /// True when any of its evidence has a verified attacker (`Evidence.attackerVerified`): the profile's address
    /// completed a TCP handshake in a flow behind the alert. The response stage blocks fully only on verified
    /// alerts.
    public var verified: Bool {
        for index in evidence.indices where evidence[index].attackerVerified { return true }
        return false
    }

    /// The evidence types, sorted and comma-separated: the reason given for a block.
    public var evidenceTypes: String { Set(evidence.map(\.type.rawValue)).sorted().joined(separator: ",") }
}
