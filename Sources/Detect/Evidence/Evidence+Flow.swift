import NetCore
import Records

extension Evidence {
    /// Evidence about one flow with its originator as attacker (SRC) and its responder as victim (DST): uid,
    /// ports, protocol, time, profile and window come from the message. The shape most flow detectors emit.
    /// `originatorText` and `responderText` are the two addresses as text when the caller has them already
    /// (each is formatted here otherwise).
    public init(flow message: FlowMessage, type: EvidenceType, description: String, threatLevel: ThreatLevel,
                confidence: Double, originatorText: String? = nil, responderText: String? = nil) {
        let flow = message.flow
        self.init(type: type, description: description,
                  attacker: Attacker(direction: .SRC, value: originatorText ?? flow.originator.description),
                  victim: Victim(direction: .DST, value: responderText ?? flow.responder.description),
                  threatLevel: threatLevel, confidence: confidence,
                  profile: message.profile, timeWindow: message.timeWindow,
                  uids: [flow.uid], timestamp: flow.startTime,
                  srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
    }
}
