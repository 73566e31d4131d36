import NetCore
import Records

/// The detector to copy when writing a new one (see docs/writing-a-detector.md). Disabled by default; enable it
/// with `modules.enable: [template]` to see it work: it reports every flow to port 31337.
///
/// Everything runs on the detection thread, one message at a time: no locks needed in a detector.
public final class TemplateDetector: Detector {
    // 1. Identity: `name` is what config uses (modules.enable / modules.disable). No spaces.
    public static let name = "template"
    public static let description = "Template: reports flows to port 31337 (copy me)"
    public static let authors = ["slipsd developers"]
    public static let enabledByDefault = false

    private let context: DetectorContext
    /// Flows already reported (a flow can arrive as interim record and again as final record: same uid).
    private var reported: Set<FlowUID> = []

    // 2. Slips' `init`: subscribe to the channels you need and read settings.
    public init(context: DetectorContext) throws {
        self.context = context
        context.subscribe(.newFlow)
        context.subscribe(.twClosed)
    }

    // 3. Slips' `pre_main`: runs once before the first message (load files, check keys...).
    public func preMain() throws {
        context.print("template detector ready", verbose: 2)
    }

    // 4. Slips' `main`: one call per message of a subscribed channel.
    public func main(_ message: ChannelMessage) throws {
        switch message {
        case .record:
            guard let message = message.flow else { return }
            let flow = message.flow
            guard flow.responderPort == 31337, reported.insert(flow.uid).inserted else { return }
            context.setEvidence(Evidence(
                type: .TEMPLATE_EVIDENCE,
                description: "Connection to port 31337 of \(flow.responder)",
                attacker: Attacker(direction: .SRC, value: flow.originator.description),
                victim: Victim(direction: .DST, value: flow.responder.description),
                threatLevel: .low, confidence: 0.5,
                profile: message.profile, timeWindow: message.timeWindow,
                uids: [flow.uid], timestamp: flow.startTime,
                srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto))
        case .twClosed:
            reported.removeAll()          // keep memory bounded: forget uids of closed windows
        default:
            break
        }
    }

    // 5. Slips' `shutdown_gracefully`: save state, flush.
    public func shutdownGracefully() throws {}
}
