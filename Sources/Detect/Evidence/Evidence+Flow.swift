import NetCore
import Records

extension Evidence {
    /// Evidence about one flow with its originator as attacker (SRC) and its responder as victim (DST): uid,
    /// ports, protocol, time, profile and window come from the message. The shape most flow detectors emit.
    public init(flow message: FlowMessage, type: EvidenceType, description: String, threatLevel: ThreatLevel,
                confidence: Double) {
        let flow = message.flow
        self.init(type: type, description: description,
                  attacker: Attacker(direction: .SRC, value: flow.originator.description),
                  victim: Victim(direction: .DST, value: flow.responder.description),
                  threatLevel: threatLevel, confidence: confidence,
                  profile: message.profile, timeWindow: message.timeWindow,
                  uids: [flow.uid], timestamp: flow.startTime,
                  srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
    }
}
