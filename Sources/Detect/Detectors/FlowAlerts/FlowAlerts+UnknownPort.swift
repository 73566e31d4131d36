import NetCore
import Records

extension FlowAlertsDetector {
    /// `UNKNOWN_PORT`: a TCP or UDP flow to a destination port that is not a known service (`KnownServicePorts`,
    /// the same coverage as Slips' `services.csv`), in any state, as Slips' `flow_alerts` reports it: one
    /// evidence per flow, threat high when the flow was established (Slips'
    /// `Established`: TCP S1, SF, S2, S3, RSTO, RSTR, OTH; UDP answered by the responder) and medium otherwise,
    /// confidence 1, description `Connection to unknown destination port 8000/TCP destination IP 198.51.100.7.`
    /// Attacker: the source (SRC); victim: the destination.
    ///
    /// When: an established flow on its first record (interim or final); a flow not established on its final
    /// record, as Slips judges Zeek's finished flows, so that a scan whose probes are published as interim
    /// records within seconds is known as a scan (see below) before its probes could be reported one by one.
    /// Every flow is learned from once, on its first record.
    ///
    /// Skipped, as Slips skips them:
    /// - sources that are port scanning in this window (Slips' `is_a_port_scanner`): once a profile's
    ///   not-established flows reached `scannerTargets` (10: the first port-scan report) distinct
    ///   (destination, port) targets, its flows make no more `UNKNOWN_PORT` — the scan evidence covers them;
    /// - P2P-like UDP (Slips' `is_p2p`): UDP to a port above 30000 once the profile sent such flows to one
    ///   destination 6 times, or to 5 destinations, in the window;
    /// - FTP data: TCP ports from 1024 up to a destination the profile has an FTP control connection (TCP/21)
    ///   with in the window (Slips learns the data ports from Zeek's ftp.log; slipsd has no FTP analyzer);
    /// - destination port 0 (`PORT_0_CONNECTION` covers it).
    /// slipsd's additions for captures: flipped flows (the originator only answered a SYN-ACK it never asked
    /// for: no connection of its own), flows whose source port is a known service (a reply seen the wrong way
    /// round), and TCP flows in an established state that show no handshake (`isInconsistentTCP`: neither
    /// proven by the flow table nor written in a Zeek history, the shape of a forged RSTO) are skipped too.
    ///
    /// Memory and volume: per (profile, window) at most `scannerTargets` targets, `p2pDestinations` P2P counters,
    /// `ftpServers` FTP servers and `evidencePerWindow` evidence (a flood of flows cannot become a flood of
    /// evidence), all windows drawing on one budget of `FlowAlertsDetector.windowStates` units; when a flood of
    /// forged sources fills it, the states of sources without evidence are dropped first (one-flow states
    /// before others), so a real host is still judged. `uidMemory` uids to report each flow once.
    struct UnknownPort {
        /// The confidence of `UNKNOWN_PORT` evidence.
        static let confidence = 1.0
        /// Most `UNKNOWN_PORT` evidence per (profile, window).
        static let evidencePerWindow = 1_024
        /// Distinct not-established targets that make a profile a port scanner in a window.
        static let scannerTargets = 10
        /// UDP destination ports above this one may be P2P.
        static let p2pPortFloor: UInt16 = 30_000
        /// P2P-like UDP flows to one destination, or destinations, that make UDP above 30000 P2P.
        static let p2pFlowsPerDestination = 6
        static let p2pDestinationCount = 5
        /// Destinations counted for the P2P rule and FTP servers remembered per (profile, window).
        static let p2pDestinations = 64
        static let ftpServers = 64

        struct Target: Hashable {
            var ip: IPAddress
            var port: UInt16
        }

        struct Window: BudgetedWindowState {
            var notEstablishedTargets: Set<Target> = []
            var isScanner = false
            var p2pFlows: [IPAddress: Int] = [:]
            var ftpServers: Set<IPAddress> = []
            var reported = 0
            var budgetUnits = 0
            init() {}

            /// Under a flood of forged sources the budget fills with one-flow states: those are dropped first,
            /// states with evidence last.
            var eviction: WindowEviction {
                if reported > 0 { return .evidence }
                return budgetUnits <= 1 ? .singleSighting : .noEvidence
            }
        }

        var knownPorts: KnownServicePorts
        private var learned: SharedFlowSighting
        /// Flows reported from an interim record, until their final record.
        private var reportedEarly = BoundedUIDMap<Void>(capacity: FlowAlertsDetector.uidMemory)
        private(set) var windows = ProfileWindowTable<Window>(
            budget: StateBudget(limit: FlowAlertsDetector.windowStates, owner: FlowAlertsDetector.name),
            evictionHeadroom: 8)

        init(knownPorts: KnownServicePorts, learned: SharedFlowSighting) {
            self.knownPorts = knownPorts
            self.learned = learned
        }

        /// Whether Slips calls the flow established (`get_final_state_from_flags`); UDP also needs an answer.
        static func isEstablished(_ flow: ConnRecord) -> Bool {
            flow.proto == .udp ? flow.connState.isEstablished && flow.responderPackets > 0
                : flow.connState.isEstablished
        }

        /// A TCP flow whose state says established while nothing shows a handshake: the flow table did not prove
        /// it (`handshake`) and its history, when there is one, has no SYN (`S`) answered by a SYN-ACK (`h`).
        /// Records from files without a history (Argus, Suricata, nfdump) are taken at their state's word.
        static func isInconsistentTCP(_ flow: ConnRecord) -> Bool {
            flow.proto == .tcp && flow.connState.isEstablished && !flow.showsHandshake
        }

        /// Evidence when `message`'s flow goes to an unknown port and is not skipped (see the type).
        mutating func check(_ message: FlowMessage) -> Evidence? {
            let flow = message.flow
            guard flow.proto == .tcp || flow.proto == .udp, !flow.flipped, flow.responderPort != 0,
                  !Self.isInconsistentTCP(flow) else { return nil }
            let established = Self.isEstablished(flow)
            let isNew = learned.isFirst(flow)
            // Report once per flow: established on its first record, otherwise on its final one.
            var due: Bool
            if flow.reason == .interim {
                due = established && reportedEarly[flow.uid] == nil
                if due { reportedEarly.set((), for: flow.uid) }
            } else {
                due = reportedEarly.removeValue(for: flow.uid) == nil
            }
            guard isNew || due else { return nil }
            let unknown = !knownPorts.contains(port: flow.responderPort, proto: flow.proto)
                && !knownPorts.contains(port: flow.originatorPort, proto: flow.proto)
            let budget = windows.budget
            let report = windows.withState(message.profile, message.timeWindow) { state -> Bool in
                if isNew { Self.learn(flow, established: established, in: &state, budget: budget) }
                guard due, unknown, !state.isScanner, state.reported < Self.evidencePerWindow,
                      !Self.isP2P(flow, in: state), !Self.isFTPData(flow, in: state) else { return false }
                state.reported += 1
                return true
            }
            guard report == true else { return nil }
            let text = "Connection to unknown destination port \(flow.responderPort)/\(flow.proto.upperName) "
                + "destination IP \(flow.responder)."
            return Evidence(
                type: .UNKNOWN_PORT, description: text,
                attacker: Attacker(direction: .SRC, value: "\(flow.originator)"),
                victim: Victim(direction: .DST, value: "\(flow.responder)"),
                threatLevel: established ? .high : .medium, confidence: Self.confidence, profile: message.profile,
                timeWindow: message.timeWindow, uids: [flow.uid], timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
        }

        /// Adds what the flow tells about its profile's window: scan targets, P2P counts, FTP servers.
        private static func learn(_ flow: ConnRecord, established: Bool, in state: inout Window,
                                  budget: StateBudget) {
            if !established, !state.isScanner {
                let target = Target(ip: flow.responder, port: flow.responderPort)
                if !state.notEstablishedTargets.contains(target),
                   state.reserve(cap: scannerTargets + p2pDestinations + ftpServers, budget: budget) {
                    state.notEstablishedTargets.insert(target)
                }
                if state.notEstablishedTargets.count >= scannerTargets {
                    state.isScanner = true
                    state.release(state.notEstablishedTargets.count, to: budget)
                    state.notEstablishedTargets = []
                }
            }
            if flow.proto == .udp, flow.responderPort > p2pPortFloor {
                if let count = state.p2pFlows[flow.responder] {
                    state.p2pFlows[flow.responder] = count + 1
                } else if state.p2pFlows.count < p2pDestinations,
                          state.reserve(cap: scannerTargets + p2pDestinations + ftpServers, budget: budget) {
                    state.p2pFlows[flow.responder] = 1
                }
            }
            if flow.proto == .tcp, flow.responderPort == 21, !state.ftpServers.contains(flow.responder),
               state.ftpServers.count < ftpServers,
               state.reserve(cap: scannerTargets + p2pDestinations + ftpServers, budget: budget) {
                state.ftpServers.insert(flow.responder)
            }
        }

        /// Slips' P2P rule, counting the flow itself.
        private static func isP2P(_ flow: ConnRecord, in state: Window) -> Bool {
            guard flow.proto == .udp, flow.responderPort > p2pPortFloor else { return false }
            return (state.p2pFlows[flow.responder] ?? 0) > p2pFlowsPerDestination
                || state.p2pFlows.count >= p2pDestinationCount
        }

        private static func isFTPData(_ flow: ConnRecord, in state: Window) -> Bool {
            flow.proto == .tcp && flow.responderPort >= 1024 && state.ftpServers.contains(flow.responder)
        }

        mutating func close(profile: ProfileID, window: TimeWindow) { windows.close(profile: profile, window: window) }
        mutating func sweep(now: PacketTime, grace: Duration) { windows.sweep(now: now, grace: grace) }
    }
}
