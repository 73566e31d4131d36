import NetCore
import Records

extension FlowAlertsDetector {
    /// `MULTIPLE_RECONNECTION_ATTEMPTS`: rejected TCP connections (REJ: the responder answered the SYN with a
    /// RST) from one source to one destination IP and port, counted per (profile, time window).
    ///
    /// Only flows whose originator sent the SYN count: a flipped flow (its originator only received a SYN-ACK) or
    /// one without the originator's `S` is a host answering packets it never asked for.
    ///
    /// Each flow counts once (a REJ is published as an interim record right away, then as the final record).
    /// Evidence when the count reaches `flowalerts.reconnection_attempts_threshold` (5); the count then starts
    /// again from zero, as Slips resets it, so every further 5 rejections report again. Threat medium; confidence
    /// 0.5 (Slips): a client retrying a service that is down looks the same. Description in Slips' words:
    /// `Multiple reconnection attempts from IP: 10.0.0.5 to destination IP: 10.0.0.9 reconnections: 5.`
    /// Attacker: the source; victim: the destination; `uids`: the rejected flows since the previous report.
    ///
    /// Memory: one counter and at most `threshold` uids per (destination, port), at most `keysPerWindow` per
    /// (profile, window), all windows drawing on one budget of `FlowAlertsDetector.windowStates` units.
    struct Reconnection {
        /// The confidence of `MULTIPLE_RECONNECTION_ATTEMPTS` evidence.
        static let confidence = 0.5
        /// Most (destination, port) counters per (profile, window).
        static let keysPerWindow = 4_096

        struct Key: Hashable {
            var ip: IPAddress
            var port: UInt16
        }

        struct Attempts {
            var count = 0
            var sinceReport: [FlowUID] = []
        }

        struct Window: BudgetedWindowState {
            var attempts: [Key: Attempts] = [:]
            var budgetUnits = 0
            init() {}
        }

        let threshold: Int
        private var sightings: SharedFlowSighting
        private(set) var windows = ProfileWindowTable<Window>(budget: StateBudget(limit: FlowAlertsDetector.windowStates, owner: FlowAlertsDetector.name))

        init(settings: FlowAlertsDetector.Settings, sightings: SharedFlowSighting) {
            threshold = max(1, settings.reconnectionThreshold)
            self.sightings = sightings
        }

        /// Evidence when `message`'s flow is a rejected attempt that brings its count to a multiple of the
        /// threshold.
        mutating func check(_ message: FlowMessage) -> Evidence? {
            let flow = message.flow
            guard flow.proto == .tcp, flow.connState == .REJ, !flow.flipped, flow.history.hasPrefix("S"),
                  sightings.isFirst(flow) else { return nil }
            let key = Key(ip: flow.responder, port: flow.responderPort)
            let threshold = self.threshold
            let budget = windows.budget
            let report: (count: Int, uids: [FlowUID])?? = windows.withState(message.profile, message.timeWindow) { state in
                if state.attempts[key] == nil {
                    guard state.reserve(cap: Self.keysPerWindow, budget: budget) else { return nil }
                    state.attempts[key] = Attempts()
                }
                state.attempts[key]!.count += 1
                state.attempts[key]!.sinceReport.append(flow.uid)
                let attempts = state.attempts[key]!
                guard attempts.count >= threshold else { return nil }
                state.attempts[key] = Attempts()
                return (attempts.count, attempts.sinceReport)
            }
            guard let found = report, let found else { return nil }
            let text = "Multiple reconnection attempts from IP: \(flow.originator) to destination IP: "
                + "\(flow.responder) reconnections: \(found.count)."
            return Evidence(
                type: .MULTIPLE_RECONNECTION_ATTEMPTS, description: text,
                attacker: Attacker(direction: .SRC, value: "\(flow.originator)"),
                victim: Victim(direction: .DST, value: "\(flow.responder)"),
                threatLevel: .medium, confidence: Self.confidence, profile: message.profile,
                timeWindow: message.timeWindow, uids: found.uids, timestamp: flow.startTime,
                dstPort: flow.responderPort, proto: .tcp)
        }

        mutating func close(profile: ProfileID, window: TimeWindow) { windows.close(profile: profile, window: window) }
        mutating func sweep(now: PacketTime, grace: Duration) { windows.sweep(now: now, grace: grace) }
    }
}
