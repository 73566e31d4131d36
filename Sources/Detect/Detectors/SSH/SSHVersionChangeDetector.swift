import NetCore
import Records

/// Slips' software analyzer (`flow_alerts/software.py`): a host whose SSH client (software.log `SSH::CLIENT`) or
/// SSH server (`SSH::SERVER`) version, `major_minor`, differs from the one first recorded for it is
/// `MULTIPLE_SSH_VERSIONS`, threat medium, confidence 0.9, `SSH client version changing from 8_2 to 8_9` (or
/// `server`), attacker the host (SRC). The first version seen per host and role is kept, as Slips keeps the
/// software it stored first; the same version again is no evidence.
///
/// Memory: one entry per (host, role), at most `max_tracked_hosts` entries (`budget.refused` counts the hosts
/// not tracked past that). software.log carries no connection uid, so the evidence names none.
/// Confined to the detection thread.
public final class SSHVersionChangeDetector: Detector {
    /// The name used in config and logs (Slips' `software_analyzer`).
    public static let name = "software_analyzer"
    /// What it detects, in one line.
    public static let description = "SSH client or server version changes of a host from software.log (Slips' MULTIPLE_SSH_VERSIONS)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]

    /// The `software_analyzer:` section.
    public struct Settings: DetectorSettings, Equatable {
        /// `max_tracked_hosts`: (host, role) pairs whose first SSH version is remembered.
        public var maxTrackedHosts = 65_536

        /// The default.
        public init() {}

        enum CodingKeys: String, CodingKey { case maxTrackedHosts = "max_tracked_hosts" }

        /// Reads the section.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            maxTrackedHosts = try section.value(.maxTrackedHosts, default: maxTrackedHosts, in: 1...10_000_000)
        }
    }

    struct Key: Hashable { var host: IPAddress; var server: Bool }

    private let context: DetectorContext
    private var firstVersions: [Key: String] = [:]
    /// One unit per (host, role) remembered.
    public let budget: StateBudget

    /// Subscribes to `new_software`.
    public init(context: DetectorContext) throws {
        self.context = context
        let settings = context.detectorSettings(Settings.self)
        budget = StateBudget(limit: settings.maxTrackedHosts, owner: Self.name)
        context.subscribe(Channel(SoftwareRecord.self))
    }

    /// (host, role) pairs remembered.
    public var trackedHosts: Int { firstVersions.count }

    /// Compares one software record with the host's first SSH version of its role.
    public func main(_ message: ChannelMessage) throws {
        guard let softwareMessage = message.record(SoftwareRecord.self) else { return }
        let software = softwareMessage.record
        for (role, server) in [("SSH::CLIENT", false), ("SSH::SERVER", true)] where software.softwareType.contains(role) {
            let current = Self.text(software.versionMajor) + "_" + Self.text(software.versionMinor)
            let key = Key(host: software.host, server: server)
            guard let first = firstVersions[key] else {
                if budget.reserve() { firstVersions[key] = current }
                continue
            }
            guard first != current else { continue }
            context.setEvidence(Evidence(
                type: .MULTIPLE_SSH_VERSIONS,
                description: "SSH \(server ? "server" : "client") version changing from \(first) to \(current)",
                attacker: Attacker(direction: .SRC, value: software.host.description),
                threatLevel: .medium, confidence: 0.9, profile: softwareMessage.profile,
                timeWindow: softwareMessage.timeWindow, uids: [], timestamp: software.time))
        }
    }

    /// A version number as Slips prints it; `None` (Python's word) when software.log left it unset.
    static func text(_ number: UInt64?) -> String { number.map { "\($0)" } ?? "None" }
}
