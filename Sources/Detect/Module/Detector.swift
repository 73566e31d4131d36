import NetCore
import Records

/// A detector: Slips' "module" carried into Swift.
///
/// Life cycle, all on the detection thread:
/// 1. `init(context:)` — Slips' `init`: subscribe to channels (`context.subscribe(.newFlow)`), read settings
///    (`context.detectorSettings(Settings.self)`).
/// 2. `preMain()` — once, before any message: load data files, check keys.
/// 3. `main(_:)` — once per message on a subscribed channel (Slips' `main` loop body with `get_msg`).
/// 4. `shutdownGracefully()` — flush state, save what must survive.
///
/// Any of them may throw: the detector is then stopped and the error written to `errors.log`; the daemon and
/// the other detectors go on. Detectors build `Evidence` and hand it to `context.setEvidence(_:)`.
///
/// A detector's own settings are its `Settings` type, read from the YAML section named after the detector
/// (`name`); a detector without settings leaves `Settings` out (`NoSettings`: its section must be empty).
/// Adding a detector is its file(s) plus one line in `DetectorList.all`.
public protocol Detector: AnyObject {
    /// The detector's settings, decoded from the YAML section `name:` when the configuration is read.
    associatedtype Settings: DetectorSettings = NoSettings

    /// Short name without spaces, used in config (`modules.disable`, the settings section) and logs.
    static var name: String { get }
    /// One line: what it detects.
    static var description: String { get }
    static var authors: [String] { get }
    /// Whether the detector runs when the config does not mention it.
    static var enabledByDefault: Bool { get }

    /// Subscribes to channels and reads settings.
    init(context: DetectorContext) throws
    /// Runs once before the first message.
    func preMain() throws
    /// Handles one message of a subscribed channel.
    func main(_ message: ChannelMessage) throws
    /// Called at least once per second of packet time (and at end of input) so detectors can evaluate state
    /// that depends on time passing (e.g. a scan whose SYNs stay unanswered).
    func tick(now: PacketTime) throws
    /// Flushes and saves state at shutdown or end of input.
    func shutdownGracefully() throws
}

extension Detector {
    /// Runs unless `modules.disable` lists it.
    public static var enabledByDefault: Bool { true }

    /// Decodes this detector's settings from its section (nil: the defaults), for the configuration loader.
    ///
    /// - Throws: `SettingsError` naming the key (`name.key`, or the older key a value came from).
    public static func decodeSettings(from section: SettingsNode?) throws(SettingsError) -> any DetectorSettings {
        try SettingsDecoder.decode(Settings.self, from: section, path: name)
    }

    /// The keys of the shared `detection:` section older configurations used for this detector's settings.
    public static var legacyDetectionKeys: [String: String] { Settings.legacyDetectionKeys }

    /// Nothing to do before the first message.
    public func preMain() throws {}
    /// Nothing depends on time passing.
    public func tick(now: PacketTime) throws {}
    /// Nothing to save.
    public func shutdownGracefully() throws {}
}
