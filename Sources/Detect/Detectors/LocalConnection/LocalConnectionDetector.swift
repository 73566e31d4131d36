import NetCore
import Records

/// The Slips guide's example module in Swift: a private address talking to another private address is evidence
/// `CONNECTION_TO_LOCAL_DEVICE` (high threat, confidence 0.8), once per flow. Disabled by default: on a LAN it
/// fires on everything; enable it with `modules.enable: [local_connection_detector]`. No settings.
///
/// The flows reported are remembered per (profile, time window) as in `TemplateDetector`, so a flow whose final
/// record arrives after its window closed is not reported again.
public final class LocalConnectionDetector: Detector {
    /// The name used in config and logs.
    public static let name = "local_connection_detector"
    /// What it detects, in one line.
    public static let description = "Detects connections to other devices in the local network"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// Off unless `modules.enable` lists it (it fires on every LAN).
    public static let enabledByDefault = false

    struct Window: BudgetedWindowState {
        var reported: Set<FlowUID> = []
        var budgetUnits = 0
        init() {}
    }

    /// Units (window states and uids) of all profiles together.
    static let budgetUnits = 262_144
    /// Uids one (profile, window) may remember.
    static let uidsPerWindow = 16_384

    private let context: DetectorContext
    private var originators = AddressTextCache()
    private(set) var windows = WindowedDetectorState<Window>(budgetUnits: LocalConnectionDetector.budgetUnits, owner: LocalConnectionDetector.name)

    /// Subscribes to `new_flow` and `tw_closed`.
    public init(context: DetectorContext) throws {
        self.context = context
        context.subscribe(.newFlow)
        windows.subscribe(context)
    }

    /// Reports a flow between two private addresses, once per flow; drops the state of closed windows.
    public func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return windows.handle(message) }
        let flow = flowMessage.flow
        guard flow.originator.isPrivate, flow.responder.isPrivate else { return }
        let budget = windows.budget
        let isNew = windows.withState(of: flowMessage) { state in
            guard !state.reported.contains(flow.uid), state.reserve(cap: Self.uidsPerWindow, budget: budget)
            else { return false }
            state.reported.insert(flow.uid)
            return true
        }
        guard isNew == true else { return }
        let responderText = flow.responder.description           // formatted once: description and victim
        context.setEvidence(Evidence(flow: flowMessage, type: .CONNECTION_TO_LOCAL_DEVICE,
                                     description: "A connection to a local device " + responderText,
                                     threatLevel: .high, confidence: 0.8,
                                     originatorText: originators.text(of: flow.originator),
                                     responderText: responderText))
    }

    /// Sweeps windows that ended more than five minutes ago.
    public func tick(now: PacketTime) throws { windows.tick(now: now) }
}
