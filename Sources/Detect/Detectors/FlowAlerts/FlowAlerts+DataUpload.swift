import NetCore
import Records

extension FlowAlertsDetector {
    /// `DATA_UPLOAD`: large uploads from a profile to destinations outside the local networks.
    ///
    /// Bytes are the originator's IP bytes the flow table actually counted (`originatorIPBytes`), never sequence
    /// progress: ~60 forged segments whose sequence numbers jump 2 GiB apiece carry no bytes. A TCP flow counts
    /// only when its handshake was proven (`ConnRecord.handshake`), so a blind forgery of a host's address with
    /// a fake upload counts nothing; other protocols count the IP bytes seen (a forger has to send them all).
    ///
    /// - One flow: originator IP bytes ≥ `flowalerts.data_exfiltration_threshold` (100). Reported once per flow
    ///   (interim records of a running upload can trigger it) and at most once per (profile, window,
    ///   destination), so thirty large files to one storage endpoint make one piece of evidence, not thirty.
    /// - One window: the sum over the profile's flows in the time window ≥ `flowalerts.data_exfiltration_window_threshold`
    ///   (500), summed over all destinations (a profile spreading an upload over many hosts is caught too).
    ///   Reported once per window. Each flow adds its bytes once across interim and final records.
    ///
    /// 1 MB is 1024 × 1024 bytes (a mebibyte), as Slips converts bytes to MB. Destinations that are private,
    /// link-local, loopback, multicast or broadcast are not counted: backups to a NAS or between servers of a
    /// LAN are not exfiltration. Threat high, confidence 0.6 — the values Slips uses for its data-upload evidence:
    /// large uploads are often legitimate (cloud backups, video calls), hence the confidence, while a leak is
    /// serious. Attacker: the source; victim: the destination of the flow (the one that crossed the threshold,
    /// for the window sum).
    ///
    /// Memory: per (profile, window) a byte count and at most `destinationsPerWindow` reported destinations, all
    /// windows drawing on one budget of `FlowAlertsDetector.windowStates` units; `uidMemory` live flows for the
    /// byte increments and the per-flow dedupe.
    struct DataUpload {
        /// The confidence of `DATA_UPLOAD` evidence.
        static let confidence = 0.6
        /// Destinations remembered as reported per (profile, window).
        static let destinationsPerWindow = 1_024
        /// Bytes per MB in the settings.
        static let bytesPerMB: Double = 1_048_576

        struct Window: BudgetedWindowState {
            var bytes: UInt64 = 0
            var windowReported = false
            var reportedDestinations: Set<IPAddress> = []
            var budgetUnits = 0
            init() {}
        }

        let flowThresholdBytes: UInt64
        let windowThresholdBytes: UInt64
        private var increments = FlowCounterDeltas(capacity: FlowAlertsDetector.uidMemory)
        private var reportedFlows = BoundedUIDMap<Void>(capacity: FlowAlertsDetector.uidMemory)
        private(set) var windows = ProfileWindowTable<Window>(budget: StateBudget(limit: FlowAlertsDetector.windowStates, owner: FlowAlertsDetector.name))

        init(settings: FlowAlertsDetector.Settings) {
            flowThresholdBytes = UInt64(max(0, settings.dataUploadFlowThresholdMB) * Self.bytesPerMB)
            windowThresholdBytes = UInt64(max(0, settings.dataUploadWindowThresholdMB) * Self.bytesPerMB)
        }

        /// Evidence for the flow and for the window sum, each when it crosses its threshold for the first time.
        mutating func check(_ message: FlowMessage) -> (flow: Evidence?, window: Evidence?) {
            let flow = message.flow
            guard !flow.responder.isPrivate, !flow.responder.isMulticastOrBroadcast,
                  flow.proto != .tcp || flow.handshake else { return (nil, nil) }
            let sent = flow.originatorIPBytes
            let added = increments.update(flow, value: sent).increment

            var flowCandidate = false
            if flow.reason == .interim {
                flowCandidate = reportedFlows[flow.uid] == nil && sent >= flowThresholdBytes
                if flowCandidate { reportedFlows.set((), for: flow.uid) }
            } else {
                flowCandidate = reportedFlows.removeValue(for: flow.uid) == nil
                    && sent >= flowThresholdBytes
            }

            let windowThreshold = windowThresholdBytes
            let budget = windows.budget
            let decided = windows.withState(message.profile, message.timeWindow) { state -> (Bool, UInt64?) in
                state.bytes += added
                var flowHit = flowCandidate
                if flowCandidate {
                    if state.reportedDestinations.contains(flow.responder) {
                        flowHit = false
                    } else if state.reserve(cap: Self.destinationsPerWindow, budget: budget) {
                        state.reportedDestinations.insert(flow.responder)
                    }
                }
                guard !state.windowReported, state.bytes >= windowThreshold else { return (flowHit, nil) }
                state.windowReported = true
                return (flowHit, state.bytes)
            }
            // Without window state (a closed or too old window) the flow is still judged on its own.
            let flowHit = decided?.0 ?? flowCandidate
            let windowBytes = decided?.1
            return (flowHit ? flowEvidence(message) : nil,
                    windowBytes.map { windowEvidence(message, bytes: $0) })
        }

        private func flowEvidence(_ message: FlowMessage) -> Evidence {
            let flow = message.flow
            let text = "Large data upload from \(flow.originator) to \(flow.responderEndpointText): "
                + "\(DecimalText.mebibytes(flow.originatorIPBytes)) MiB in one flow "
                + "(threshold \(DecimalText.mebibytes(flowThresholdBytes)) MiB). "
                + "Confidence: \(DecimalText.format(Self.confidence))."
            return evidence(message, text)
        }

        private func windowEvidence(_ message: FlowMessage, bytes: UInt64) -> Evidence {
            let flow = message.flow
            let text = "Large data upload from \(flow.originator): \(DecimalText.mebibytes(bytes)) MiB sent "
                + "to outside destinations in \(message.timeWindow) (threshold "
                + "\(DecimalText.mebibytes(windowThresholdBytes)) MiB), last to \(flow.responderEndpointText). "
                + "Confidence: \(DecimalText.format(Self.confidence))."
            return evidence(message, text)
        }

        private func evidence(_ message: FlowMessage, _ text: String) -> Evidence {
            let flow = message.flow
            return Evidence(
                type: .DATA_UPLOAD, description: text,
                attacker: Attacker(direction: .SRC, value: "\(flow.originator)"),
                victim: Victim(direction: .DST, value: "\(flow.responder)"),
                threatLevel: .high, confidence: Self.confidence, profile: message.profile,
                timeWindow: message.timeWindow, uids: [flow.uid], timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
        }

        mutating func close(profile: ProfileID, window: TimeWindow) { windows.close(profile: profile, window: window) }
        mutating func sweep(now: PacketTime, grace: Duration) { windows.sweep(now: now, grace: grace) }
    }
}
