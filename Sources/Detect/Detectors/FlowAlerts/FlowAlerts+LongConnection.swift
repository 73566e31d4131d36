import NetCore
import Records

extension FlowAlertsDetector {
    /// `LONG_CONNECTION`: a flow that lasted longer than `flowalerts.long_connection_threshold` (1500 s, strictly
    /// more, as Slips).
    ///
    /// Interim records of a flow that is still running can trigger it (the flow table reports long-lived flows
    /// periodically), so it is seen while the connection lasts. Reported once per uid: the uid is remembered from
    /// the interim record that reported it until the flow's final record (bounded by `uidMemory`). Multicast and
    /// broadcast destinations are skipped (long-lived discovery and streaming traffic). Threat low (Slips);
    /// confidence 0.5: a long duration alone is common for legitimate sessions (VPNs, SSH, streaming). Attacker:
    /// the originator; victim: the responder.
    struct LongConnection {
        /// The confidence of `LONG_CONNECTION` evidence.
        static let confidence = 0.5

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
            let text = "Long connection from \(flow.originator) to \(flow.responderEndpointText): "
                + "\(DecimalText.format(flow.duration, digits: 0)) s (more than "
                + "\(DecimalText.format(thresholdSeconds, digits: 0)) s), "
                + "\(DecimalText.mebibytes(flow.originatorBytes)) MiB sent, "
                + "\(DecimalText.mebibytes(flow.responderBytes)) MiB received."
            return Evidence(
                type: .LONG_CONNECTION, description: text,
                attacker: Attacker(direction: .SRC, value: "\(flow.originator)"),
                victim: Victim(direction: .DST, value: "\(flow.responder)"),
                threatLevel: .low, confidence: Self.confidence, profile: message.profile,
                timeWindow: message.timeWindow, uids: [flow.uid], timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
        }
    }
}
