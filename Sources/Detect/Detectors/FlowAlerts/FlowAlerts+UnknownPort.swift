import NetCore
import Records

extension FlowAlertsDetector {
    /// `UNKNOWN_PORT`: an established TCP connection to a destination port that is not a known service
    /// (`KnownServicePorts`).
    ///
    /// Only flows whose handshake was seen completing count (S1, SF, S2, S3, RSTO, RSTR; as Slips, only
    /// established connections; OTH is left out because the flow table guesses its direction), and only when the
    /// flow table proved that handshake (`ConnRecord.handshake`: the originator sent the SYN and acknowledged the
    /// SYN-ACK) and did not flip the flow: a host answering unsolicited SYN-ACKs with RSTs (history `^hR`) made no
    /// connection. Skipped:
    /// - destination ports in the dynamic range 49152–65535 (IANA reserves it for ephemeral use: passive FTP
    ///   data, RPC and P2P land there and would drown the rest);
    /// - flows whose source port is a known service (a reply seen the wrong way round);
    /// - destination port 0 (`PORT_0_CONNECTION` covers it).
    ///
    /// Reported once per (profile, window, destination IP, port): a client talking all day to one in-house
    /// service on an odd port makes one piece of evidence per window, not one per connection. Threat medium;
    /// confidence 1 (the observation is certain: the connection was established and the port is not in the
    /// list). Attacker: the source; victim: the destination.
    ///
    /// Memory and volume: at most `endpointsPerWindow` endpoints per (profile, window) are remembered — and so
    /// reported — all windows drawing on one budget of `FlowAlertsDetector.windowStates` units.
    struct UnknownPort {
        /// The confidence of `UNKNOWN_PORT` evidence.
        static let confidence = 1.0
        /// Endpoints remembered as reported per (profile, window).
        static let endpointsPerWindow = 1_024
        /// First port of the IANA dynamic range; destination ports from here on are not judged.
        static let dynamicPortStart: UInt16 = 49_152

        struct Endpoint: Hashable {
            var ip: IPAddress
            var port: UInt16
        }

        struct Window: BudgetedWindowState {
            var reported: Set<Endpoint> = []
            var budgetUnits = 0
            init() {}
        }

        var knownPorts: KnownServicePorts
        private(set) var windows = ProfileWindowTable<Window>(budget: StateBudget(limit: FlowAlertsDetector.windowStates, owner: FlowAlertsDetector.name))

        init(knownPorts: KnownServicePorts) { self.knownPorts = knownPorts }

        /// Evidence when `message`'s flow is an established TCP connection to an unknown port, first seen for
        /// that endpoint in the window.
        mutating func check(_ message: FlowMessage) -> Evidence? {
            let flow = message.flow
            guard flow.isHandshakeEstablishedTCP, flow.handshake, !flow.flipped,
                  flow.responderPort != 0, flow.responderPort < Self.dynamicPortStart,
                  !knownPorts.contains(port: flow.responderPort, proto: .tcp),
                  !knownPorts.contains(port: flow.originatorPort, proto: .tcp)
            else { return nil }
            let endpoint = Endpoint(ip: flow.responder, port: flow.responderPort)
            let budget = windows.budget
            let fresh = windows.withState(message.profile, message.timeWindow) { state -> Bool in
                guard !state.reported.contains(endpoint) else { return false }
                guard state.reserve(cap: Self.endpointsPerWindow, budget: budget) else { return false }
                state.reported.insert(endpoint)
                return true
            }
            guard fresh == true else { return nil }
            let text = "Established connection from \(flow.originator) to \(flow.responderEndpointText): "
                + "port \(flow.responderPort)/TCP is not a known service. "
                + "Confidence: \(DecimalText.format(Self.confidence))."
            return Evidence(
                type: .UNKNOWN_PORT, description: text,
                attacker: Attacker(direction: .SRC, value: "\(flow.originator)"),
                victim: Victim(direction: .DST, value: "\(flow.responder)"),
                threatLevel: .medium, confidence: Self.confidence, profile: message.profile,
                timeWindow: message.timeWindow, uids: [flow.uid], timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: .tcp)
        }

        mutating func close(profile: ProfileID, window: TimeWindow) { windows.close(profile: profile, window: window) }
        mutating func sweep(now: PacketTime, grace: Duration) { windows.sweep(now: now, grace: grace) }
    }
}
