import NetCore
import Records

/// What a detector can reach: channel subscriptions, evidence output, printing, settings, time windows.
///
/// One per detector, confined to the detection thread (not `Sendable`). The detection engine wires the closures.
public final class DetectorContext {
    /// The detector's name (for `print` and `errors.log`).
    public let detectorName: String
    /// The shared detection settings from the config (time windows, thresholds of the evidence handler).
    public let settings: DetectionSettings
    /// Channels the detector subscribed to in `init`.
    public private(set) var subscriptions: Set<Channel> = []

    private let evidenceSink: (Evidence) -> Void
    private let printer: (_ text: String, _ verbose: Int, _ debug: Int) -> Void
    private let windowForTime: (PacketTime) -> TimeWindow
    /// The first-sighting map of flow uids shared by the engine's detectors (`flowSighting()`).
    public let flowSightings: FlowSightings

    /// Creates a context. Used by the engine and by tests.
    /// - Parameter flowSightings: the engine's shared map (a context of its own gets a new one).
    public init(detectorName: String, settings: DetectionSettings,
                evidenceSink: @escaping (Evidence) -> Void,
                printer: @escaping (_ text: String, _ verbose: Int, _ debug: Int) -> Void = { _, _, _ in },
                windowForTime: @escaping (PacketTime) -> TimeWindow,
                flowSightings: FlowSightings = FlowSightings()) {
        self.detectorName = detectorName; self.settings = settings
        self.evidenceSink = evidenceSink; self.printer = printer; self.windowForTime = windowForTime
        self.flowSightings = flowSightings
    }

    /// A first-sighting tracker of flow uids for one consumer (a detector, or each of its rules that needs one),
    /// backed by the engine's shared map: `isFirst(_:)` answers as a `FlowFirstSighting` of its own would.
    public func flowSighting() -> SharedFlowSighting { flowSightings.consumer() }

    /// The detector's own settings, decoded from its YAML section (the defaults, `S()`, when the configuration
    /// has no section for it). Call it as `context.detectorSettings(Settings.self)`.
    public func detectorSettings<S: DetectorSettings>(_ type: S.Type) -> S {
        settings.detectorSettings[detectorName] as? S ?? S()
    }

    /// Subscribes to a channel: the detector's `main` will receive its messages.
    public func subscribe(_ channel: Channel) { subscriptions.insert(channel) }

    /// Hands evidence to the evidence handler (Slips' `db.set_evidence`). Disabled evidence types are dropped
    /// there, not here.
    public func setEvidence(_ evidence: Evidence) { evidenceSink(evidence) }

    /// Prints through the output system. `verbose` 1–3 and `debug` 1–3 as in Slips: the text is shown when the
    /// run's verbosity/debug level is at least the given one.
    public func print(_ text: String, verbose: Int = 1, debug: Int = 0) { printer(text, verbose, debug) }

    /// The time window a packet time falls in (for evidence built from `tick`).
    public func timeWindow(for time: PacketTime) -> TimeWindow { windowForTime(time) }
}
