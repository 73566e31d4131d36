import NetCore
import Records

/// Slips' `check_non_http_port_80_conns` (`modules/http_analyzer`): an established TCP flow to port 80 that carried
/// payload and that Zeek did not recognise as HTTP, with no HTTP-recognised flow between the same two addresses
/// within five minutes before or after it (`UnrecognisedServiceCheck`, which also says when an empty `service`
/// counts as "not HTTP"). Slips sets a pair of `NON_HTTP_PORT_80_CONNECTION` evidence, confidence 0.8, both with
/// the description `non-HTTP established connection to port 80. destination IP: <daddr>`:
///
/// - attacker the source (SRC, its profile), victim the destination, threat low;
/// - attacker the destination (DST, the destination's profile), victim the source, threat medium — it never adds
///   to an alert (only SRC attackers count).
public final class NonHTTPPort80Detector: Detector {
    /// The name used in config and logs.
    public static let name = "non_http_port_80"
    /// What it detects, in one line.
    public static let description = "Established port-80 connections that are not HTTP (Slips' NON_HTTP_PORT_80_CONNECTION)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `non_http_port_80:` section.
    public struct Settings: DetectorSettings {
        /// `wait_seconds`: how far before and after a flow an HTTP-recognised flow clears it (Slips: 300).
        public var waitSeconds = 300
        /// `require_recognising_producer`: report only once the input showed it recognises HTTP (see
        /// `UnrecognisedServiceCheck`); false is Slips' rule (an empty `service` means "not HTTP").
        public var requireRecognisingProducer = true

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case waitSeconds = "wait_seconds", requireRecognisingProducer = "require_recognising_producer"
        }

        /// Reads the section over the defaults; `wait_seconds` 1…86400.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            waitSeconds = try section.value(.waitSeconds, default: waitSeconds, in: 1...86_400)
            requireRecognisingProducer = try section.value(.requireRecognisingProducer, default: requireRecognisingProducer)
        }
    }

    /// Confidence of both evidence.
    static let confidence = 0.8

    private let context: DetectorContext
    private(set) var check: UnrecognisedServiceCheck

    /// Subscribes to `new_flow`.
    public init(context: DetectorContext) throws {
        self.context = context
        let settings = context.detectorSettings(Settings.self)
        check = UnrecognisedServiceCheck(port: 80, service: "http", keyIncludesPort: false,
                                         wait: .seconds(settings.waitSeconds),
                                         requireRecognisingProducer: settings.requireRecognisingProducer)
        context.subscribe(.newFlow)
    }

    /// Records or queues a port-80 flow; reports flows whose wait ended.
    public func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return }
        report(check.add(flowMessage))
    }

    /// Reports the flows whose wait ended by `now`.
    public func tick(now: PacketTime) throws { report(check.expire(now: now)) }

    /// End of input: decides every waiting flow.
    public func shutdownGracefully() throws { report(check.drain()) }

    private func report(_ flows: [FlowMessage]) {
        for message in flows {
            let flow = message.flow
            let text = "non-HTTP established connection to port 80. destination IP: \(flow.responder)"
            context.setEvidence(Evidence(flow: message, type: .NON_HTTP_PORT_80_CONNECTION, description: text,
                                         threatLevel: .low, confidence: Self.confidence))
            context.setEvidence(Evidence(
                type: .NON_HTTP_PORT_80_CONNECTION, description: text,
                attacker: Attacker(direction: .DST, value: flow.responder.description),
                victim: Victim(direction: .SRC, value: flow.originator.description),
                threatLevel: .medium, confidence: Self.confidence, profile: ProfileID(ip: flow.responder),
                timeWindow: message.timeWindow, uids: [flow.uid], timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto))
        }
    }
}
