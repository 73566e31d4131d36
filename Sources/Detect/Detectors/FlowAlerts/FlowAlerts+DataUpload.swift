import NetCore
import Records

extension FlowAlertsDetector {
    /// `DATA_UPLOAD`: large uploads from a profile to destinations outside the local networks, as Slips'
    /// `flow_alerts` reports them: a pair of evidence per upload.
    ///
    /// - One flow: originator bytes ≥ `flowalerts.data_exfiltration_threshold` (100 MB). Reported once per flow
    ///   (an interim record of a running upload can trigger it; its final record is then not reported again).
    /// - One window, per destination: the bytes the profile sent to one destination in the time window ≥
    ///   `flowalerts.data_exfiltration_window_threshold` (500 MB, Slips' `data_exfiltration_threshold`). Reported
    ///   once per (window, destination), when the sum crosses the threshold (Slips sums when the window closes;
    ///   the sum and the result are the same, only earlier). Each flow adds its bytes once across interim and
    ///   final records.
    ///
    /// 1 MB is 10^6 bytes (Slips' `convert_to_mb`). The pair, linked as in Slips: the source as attacker (SRC,
    /// threat info, confidence 0.6, in the source's profile) and the destination as attacker (DST, threat high,
    /// confidence 0.6, in the destination's profile). Neither adds to an alert: info never counts, and evidence
    /// whose attacker is the destination never counts (the evidence handler's rule), so an upload — a common and
    /// mostly legitimate event — is reported but cannot get the uploader blocked. Description in Slips' words:
    /// `Large data upload. 150.0 MBs sent to 198.51.100.7`.
    ///
    /// Bytes are the originator's IP bytes the flow table actually counted (`originatorIPBytes`), never sequence
    /// progress (~60 forged segments whose sequence numbers jump 2 GiB apiece carry no bytes); records from files,
    /// which may carry only payload bytes, fall back to `originatorBytes`. A TCP flow counts only when something
    /// shows its handshake (`ConnRecord.showsHandshake`: proven by the flow table, or written in a flow file), so
    /// a blind forgery of a host's address with a fake upload counts nothing. Destinations that are private, link-local, loopback, multicast or broadcast are not
    /// counted (Slips skips the gateway, multicast, link-local and reserved addresses): backups to a NAS are not
    /// exfiltration.
    ///
    /// Memory: per (profile, window) a byte count for at most `destinationsPerWindow` destinations, all windows
    /// drawing on one budget of `FlowAlertsDetector.windowStates` units; `uidMemory` live flows for the byte
    /// increments and the per-flow dedupe.
    struct DataUpload {
        /// The confidence of both `DATA_UPLOAD` evidence.
        static let confidence = 0.6
        /// Destinations counted per (profile, window).
        static let destinationsPerWindow = 1_024
        /// Bytes per MB (Slips: 10^6).
        static let bytesPerMB: Double = 1_000_000
        /// Most uids a window evidence lists (the most recent flows to that destination).
        static let uidsPerDestination = 32

        /// The bytes sent to one destination in one window.
        struct Destination {
            var bytes: UInt64 = 0
            var reported = false
            var uids: [FlowUID] = []
        }

        struct Window: BudgetedWindowState {
            var destinations: [IPAddress: Destination] = [:]
            var budgetUnits = 0
            init() {}
        }

        let flowThresholdBytes: UInt64
        let windowThresholdBytes: UInt64
        private var increments = FlowCounterDeltas(capacity: FlowAlertsDetector.uidMemory)
        private var reportedFlows = BoundedUIDMap<Void>(capacity: FlowAlertsDetector.uidMemory)
        private(set) var windows = ProfileWindowTable<Window>(
            budget: StateBudget(limit: FlowAlertsDetector.windowStates, owner: FlowAlertsDetector.name))

        init(settings: FlowAlertsDetector.Settings) {
            flowThresholdBytes = UInt64(max(0, settings.dataUploadFlowThresholdMB) * Self.bytesPerMB)
            windowThresholdBytes = UInt64(max(0, settings.dataUploadWindowThresholdMB) * Self.bytesPerMB)
        }

        /// The evidence pairs for the flow and for its destination's window sum, each when it crosses its
        /// threshold for the first time (empty when neither does).
        mutating func check(_ message: FlowMessage) -> [Evidence] {
            let flow = message.flow
            guard !flow.responder.isPrivate, !flow.responder.isMulticastOrBroadcast,
                  flow.proto != .tcp || flow.showsHandshake else { return [] }
            let sent = flow.originatorIPBytes > 0 ? flow.originatorIPBytes : flow.originatorBytes
            let added = increments.update(flow, value: sent).increment

            var flowHit = false
            if flow.reason == .interim {
                flowHit = reportedFlows[flow.uid] == nil && sent >= flowThresholdBytes
                if flowHit { reportedFlows.set((), for: flow.uid) }
            } else {
                flowHit = reportedFlows.removeValue(for: flow.uid) == nil && sent >= flowThresholdBytes
            }

            let windowThreshold = windowThresholdBytes
            let budget = windows.budget
            let destination = flow.responder
            let windowSum = windows.withState(message.profile, message.timeWindow) { state -> Destination? in
                if state.destinations[destination] == nil {
                    guard state.reserve(cap: Self.destinationsPerWindow, budget: budget) else { return nil }
                    state.destinations[destination] = Destination()
                }
                var current = state.destinations[destination]!
                current.bytes += added
                if current.uids.last != flow.uid {
                    if current.uids.count == Self.uidsPerDestination { current.uids.removeFirst() }
                    current.uids.append(flow.uid)
                }
                let crossed = !current.reported && current.bytes >= windowThreshold
                if crossed { current.reported = true }
                state.destinations[destination] = current
                return crossed ? current : nil
            } ?? nil

            var evidence: [Evidence] = []
            if flowHit { evidence += pair(message, bytes: sent, uids: [flow.uid]) }
            if let windowSum { evidence += pair(message, bytes: windowSum.bytes, uids: windowSum.uids) }
            return evidence
        }

        /// Slips' two linked evidence for `bytes` sent by the flow's originator to its responder.
        private func pair(_ message: FlowMessage, bytes: UInt64, uids: [FlowUID]) -> [Evidence] {
            let flow = message.flow
            let text = "Large data upload. \(SlipsNumbers.pythonFloat(Double(bytes) / Self.bytesPerMB)) MBs sent "
                + "to \(flow.responder)"
            let source = Evidence(
                type: .DATA_UPLOAD, description: text,
                attacker: Attacker(direction: .SRC, value: "\(flow.originator)"),
                victim: Victim(direction: .DST, value: "\(flow.responder)"),
                threatLevel: .info, confidence: Self.confidence, profile: message.profile,
                timeWindow: message.timeWindow, uids: uids, timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
            let destination = Evidence(
                type: .DATA_UPLOAD, description: text,
                attacker: Attacker(direction: .DST, value: "\(flow.responder)"),
                victim: Victim(direction: .SRC, value: "\(flow.originator)"),
                threatLevel: .high, confidence: Self.confidence, profile: ProfileID(ip: flow.responder),
                timeWindow: message.timeWindow, uids: uids, timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
            return [source, destination]
        }

        mutating func close(profile: ProfileID, window: TimeWindow) { windows.close(profile: profile, window: window) }
        mutating func sweep(now: PacketTime, grace: Duration) { windows.sweep(now: now, grace: grace) }
    }
}
