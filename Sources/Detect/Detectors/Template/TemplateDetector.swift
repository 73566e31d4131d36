import NetCore
import Records

/// The detector to copy when writing a new one (see docs/writing-a-detector.md). Disabled by default; enable it
/// with `modules.enable: [template]` to see it work: it reports each flow to port 31337 (`template.port`) once.
///
/// It shows the pattern most detectors need: settings from its own YAML section, and state kept per
/// (profile, time window) with the kit's `WindowedDetectorState`, which drops a window's state when the window
/// closes and ignores records that arrive for it afterwards — so a flow whose final record comes after
/// `tw_closed` is not reported a second time, and memory stays bounded by a budget.
///
/// Everything runs on the detection thread, one message at a time: no locks needed in a detector.
public final class TemplateDetector: Detector {
    // 1. Identity: `name` is what config uses (modules.enable / modules.disable, and the `template:` section).
    //    No spaces.
    /// The name used in config and logs.
    public static let name = "template"
    /// What it detects, in one line.
    public static let description = "Template: reports flows to port 31337 (copy me)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// Off unless `modules.enable` lists it.
    public static let enabledByDefault = false

    // 2. Settings: the `template:` section of the YAML file. Defaults live in the properties; each key is read
    //    with `value(_:default:)`; a key that is not read here is refused when the config is loaded.
    /// The `template:` section.
    public struct Settings: DetectorSettings {
        /// `port`: the destination port reported.
        public var port: UInt16 = 31337

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey { case port }

        /// Reads the section over the defaults; `port` must be 1…65535.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            port = try section.value(.port, default: port, in: 1...65535)
        }
    }

    // 3. State per (profile, time window): the flows already reported in it. A flow can arrive as interim
    //    records and again as its final record (same uid, same window).
    struct Window: BudgetedWindowState {
        var reported: Set<FlowUID> = []
        /// Budget units held: one per remembered uid.
        var budgetUnits = 0
        init() {}
    }

    /// Units (window states and uids) of all profiles together: the detector's memory ceiling.
    static let budgetUnits = 65_536
    /// Uids one (profile, window) may remember; past it new flows are not reported (`budget.refused`).
    static let uidsPerWindow = 4_096

    private let context: DetectorContext
    private let port: UInt16
    private(set) var windows = WindowedDetectorState<Window>(budgetUnits: TemplateDetector.budgetUnits, owner: TemplateDetector.name)

    // 4. Slips' `init`: subscribe to the channels you need and read settings.
    /// Subscribes to `new_flow` and `tw_closed`; reads the `template:` settings.
    public init(context: DetectorContext) throws {
        self.context = context
        port = context.detectorSettings(Settings.self).port
        context.subscribe(.newFlow)
        windows.subscribe(context)        // tw_closed: the closed window's state is dropped
    }

    // 5. Slips' `pre_main`: runs once before the first message (load files, check keys...).
    public func preMain() throws {
        context.print("template detector ready", verbose: 2)
    }

    // 6. Slips' `main`: one call per message of a subscribed channel.
    public func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return windows.handle(message) }
        let flow = flowMessage.flow
        guard flow.responderPort == port else { return }
        let budget = windows.budget
        let isNew = windows.withState(of: flowMessage) { state in
            guard !state.reported.contains(flow.uid), state.reserve(cap: Self.uidsPerWindow, budget: budget)
            else { return false }
            state.reported.insert(flow.uid)
            return true
        }
        guard isNew == true else { return }   // nil: the window is closed (or too old, or no budget)
        context.setEvidence(Evidence(flow: flowMessage, type: .TEMPLATE_EVIDENCE,
                                     description: "Connection to port \(port) of \(flow.responder)",
                                     threatLevel: .low, confidence: 0.5))
    }

    // 7. Called at least once per second of packet time: drops windows that ended long ago.
    public func tick(now: PacketTime) throws { windows.tick(now: now) }

    // 8. Slips' `shutdown_gracefully`: save state, flush.
    public func shutdownGracefully() throws {}
}
