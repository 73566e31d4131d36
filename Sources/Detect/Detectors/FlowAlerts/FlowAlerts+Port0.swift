import NetCore
import Records

extension FlowAlertsDetector {
    /// `PORT_0_CONNECTION`: a TCP or UDP flow whose source or destination port is 0 — reserved, never used by a
    /// normal stack; seen in fingerprinting, crafted floods and some malware.
    ///
    /// Once per flow (its first record, interim or final), and at most `evidenceCapPerWindow` (100) per
    /// (profile, window): a flood of crafted packets must not become a flood of evidence, and 100 × 0.64 already
    /// exceeds any alert threshold. Threat high, confidence 0.8 and the description `Connection on port 0 from
    /// 10.0.0.5:0 to 198.51.100.7:80.` (Slips). Direction as Slips: the side whose port is 0 is blamed — the
    /// originator (SRC) when its source port is 0, else the responder (DST: the flow went to its port 0), which
    /// then never adds to the originator's alert. Multicast destinations are skipped (Slips).
    struct Port0 {
        /// The confidence of `PORT_0_CONNECTION` evidence.
        static let confidence = 0.8
        /// Most `PORT_0_CONNECTION` evidence per (profile, window).
        static let evidenceCapPerWindow = 100

        /// How many were reported in one (profile, window).
        struct Window: WindowState {
            var reported = 0
            var budgetUnits: Int { 0 }
            init() {}
        }

        private var sightings: SharedFlowSighting
        private(set) var windows = ProfileWindowTable<Window>(budget: StateBudget(limit: FlowAlertsDetector.windowStates, owner: FlowAlertsDetector.name))

        init(sightings: SharedFlowSighting) { self.sightings = sightings }

        /// Evidence when `message`'s flow uses port 0 and this is its first record.
        mutating func check(_ message: FlowMessage) -> Evidence? {
            let flow = message.flow
            guard flow.proto == .tcp || flow.proto == .udp,
                  flow.originatorPort == 0 || flow.responderPort == 0,
                  !flow.responder.isMulticastOrBroadcast,
                  sightings.isFirst(flow)
            else { return nil }
            let allowed = windows.withState(message.profile, message.timeWindow) { state -> Bool in
                guard state.reported < Self.evidenceCapPerWindow else { return false }
                state.reported += 1
                return true
            }
            guard allowed == true else { return nil }
            let text = "Connection on port 0 from \(flow.originator):\(flow.originatorPort) to "
                + "\(flow.responder):\(flow.responderPort)."
            let sourceBlamed = flow.originatorPort == 0
            let attacker = sourceBlamed
                ? Attacker(direction: .SRC, value: "\(flow.originator)")
                : Attacker(direction: .DST, value: "\(flow.responder)")
            let victim = sourceBlamed
                ? Victim(direction: .DST, value: "\(flow.responder)")
                : Victim(direction: .SRC, value: "\(flow.originator)")
            return Evidence(
                type: .PORT_0_CONNECTION, description: text, attacker: attacker, victim: victim,
                threatLevel: .high, confidence: Self.confidence, profile: message.profile,
                timeWindow: message.timeWindow, uids: [flow.uid], timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
        }

        mutating func close(profile: ProfileID, window: TimeWindow) { windows.close(profile: profile, window: window) }
        mutating func sweep(now: PacketTime, grace: Duration) { windows.sweep(now: now, grace: grace) }
    }
}
