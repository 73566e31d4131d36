import NetCore
import Records

/// The Slips guide's example module in Swift: a private address talking to another private address is evidence
/// `CONNECTION_TO_LOCAL_DEVICE` (high threat, confidence 0.8). Disabled by default: on a LAN it fires on
/// everything; enable it with `modules.enable: [local_connection_detector]`.
public final class LocalConnectionDetector: Detector {
    public static let name = "local_connection_detector"
    public static let description = "Detects connections to other devices in the local network"
    public static let authors = ["slipsd developers"]
    public static let enabledByDefault = false

    private let context: DetectorContext
    private var seen = Set<FlowUID>()

    public init(context: DetectorContext) throws {
        self.context = context
        context.subscribe(.newFlow)
        context.subscribe(.twClosed)
    }

    public func main(_ message: ChannelMessage) throws {
        switch message {
        case .record:
            guard let message = message.flow else { return }
            let flow = message.flow
            guard flow.originator.isPrivate, flow.responder.isPrivate, seen.insert(flow.uid).inserted else { return }
            context.setEvidence(Evidence(
                type: .CONNECTION_TO_LOCAL_DEVICE,
                description: "A connection to a local device \(flow.responder)",
                attacker: Attacker(direction: .SRC, value: flow.originator.description),
                victim: Victim(direction: .DST, value: flow.responder.description),
                threatLevel: .high, confidence: 0.8,
                profile: message.profile, timeWindow: message.timeWindow,
                uids: [flow.uid], timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto))
        case .twClosed:
            seen.removeAll()
        default:
            break
        }
    }
}
