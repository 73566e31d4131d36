import NetCore
import Records

/// A detector: Slips' "module" carried into Swift.
///
/// Life cycle, all on the detection thread:
/// 1. `init(context:)` — Slips' `init`: subscribe to channels (`context.subscribe(.newFlow)`), read settings.
/// 2. `preMain()` — once, before any message: load data files, check keys.
/// 3. `main(_:)` — once per message on a subscribed channel (Slips' `main` loop body with `get_msg`).
/// 4. `shutdownGracefully()` — flush state, save what must survive.
///
/// Any of them may throw: the detector is then stopped and the error written to `errors.log`; the daemon and
/// the other detectors go on. Detectors build `Evidence` and hand it to `context.setEvidence(_:)`.
public protocol Detector: AnyObject {
    /// Short name without spaces, used in config (`modules.disable`) and logs.
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
    public static var enabledByDefault: Bool { true }
    public func preMain() throws {}
    public func tick(now: PacketTime) throws {}
    public func shutdownGracefully() throws {}
}
