import NetCore
import Records

extension FlowAlertsDetector {
    /// `LONG_CONNECTION`: a flow that lasted longer than `flowalerts.long_connection_threshold` (1500 s, strictly
    /// more, as Slips).
    ///
    /// Interim records of a flow that is still running can trigger it (the flow table reports long-lived flows
    /// periodically), so it is seen while the connection lasts. Reported once per uid: the uid is remembered from
    /// the interim record that reported it until the flow's final record (bounded by `uidMemory`). Multicast and
    /// broadcast destinations are skipped (long-lived discovery and streaming traffic). Slips' values: threat low;
    /// confidence from the duration, `duration / 86400` rounded to two decimals and at most 1 (a day-long
    /// connection is certain; 25 minutes is 0.02); description `Long Connection. Connection from 10.0.0.5 to
    /// destination address: 198.51.100.7 took 26 mins`. Attacker: the originator; victim: the responder.
    struct LongConnection {
        /// Slips' confidence of a connection that lasted `duration` seconds: `1/86400 × (duration − 86400) + 1`
        /// rounded to two decimals, in [0, 1].
        static func confidence(duration: Double) -> Double {
            min(1, max(0, SlipsNumbers.rounded((duration - 86_400) / 86_400 + 1, digits: 2)))
        }

        let thresholdSeconds: Double
        private var reported = BoundedUIDMap<Void>(capacity: FlowAlertsDetector.uidMemory)

        init(settings: FlowAlertsDetector.Settings) { thresholdSeconds = settings.longConnectionThreshold }

        /// Evidence when `message`'s flow is long and was not reported yet.
        mutating func check(_ message: FlowMessage) -> Evidence? {
            let flow = message.flow
            if flow.reason == .interim {
                guard reported[flow.uid] == nil else { return nil }
            } else if reported.removeValue(for: flow.uid) != nil {
                return nil
            }
            guard flow.duration > thresholdSeconds, !flow.responder.isMulticastOrBroadcast else { return nil }
            if flow.reason == .interim { reported.set((), for: flow.uid) }
            let text = "Long Connection. Connection from \(flow.originator) to destination address: "
                + "\(flow.responder) took \(Int(flow.duration / 60)) mins"
            return Evidence(
                type: .LONG_CONNECTION, description: text,
                attacker: Attacker(direction: .SRC, value: "\(flow.originator)"),
                victim: Victim(direction: .DST, value: "\(flow.responder)"),
                threatLevel: .low, confidence: Self.confidence(duration: flow.duration), profile: message.profile,
                timeWindow: message.timeWindow, uids: [flow.uid], timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
        }
    }
}
