import NetCore
import Records

/// SSH password guessing: many SSH connections from one client to one server endpoint in a time window.
///
/// SSH is recognised by its identification banner (`SSH-2.0-…`) on ANY port, from the `new_ssh` channel — never
/// by the port number: a port-22 flow without a banner does not count, a banner on port 2222 does.
///
/// Each connection (flow uid) counts once, when its first banner arrives (client's or server's, whichever is
/// published first). A banner proves the TCP connection was made and the SSH exchange began, so waiting for the
/// connection's `new_flow` record would add nothing but delay: counting on the banner recognises the guessing
/// while it runs and makes the order of `new_ssh` and `new_flow` for the same uid irrelevant. The second banner
/// of the same connection is recognised by its uid (the last `uidMemory` uids are remembered).
///
/// slipsd cannot see whether a login failed (the exchange is encrypted; Zeek guesses it from packet sizes, and
/// Slips counts Zeek's failed logins). So every connection is an attempt, and the confidence says so.
///
/// `PASSWORD_GUESSING` when the connections from the client (the profile) to one server IP and port reach
/// `ssh_brute_force.ssh_attempt_threshold` (9) in a time window, and again at each further multiple (18, 27, …):
/// Slips starts counting afresh after each report, and a sustained guessing run keeps adding weight. Threat high;
/// confidence 0.5, because connections that did log in count too (tools such as Ansible open many). Attacker:
/// the client; victim: the server; `dstPort` the server port, proto TCP; `uids`: the connections since the
/// previous report.
///
/// Memory: per (profile, window) a counter and at most `threshold` uids per server endpoint, at most
/// `windowServerCap` endpoints per window and `stateBudgetUnits` over all profiles; `uidMemory` uids for the
/// per-connection dedupe. State is dropped with its window as in `PortScanDetector`, and so is the state of
/// clients without evidence when a flood of banners fills the budget (`budgetStatistics` counts the drops).
///
/// Confined to the detection thread.
public final class SSHPasswordGuessingDetector: Detector {
    /// The name used in config (`modules.disable`) and logs.
    public static let name = "ssh_brute_force"
    /// What it detects, in one line.
    public static let description =
        "Detects SSH password guessing: many SSH connections (by banner, any port) to one server"
    /// Who wrote it.
    public static let authors = ["slipsd"]

    /// The `ssh_brute_force:` section.
    public struct Settings: DetectorSettings, Equatable {
        /// `ssh_attempt_threshold` (Slips' key): SSH connections to one server endpoint per window that are
        /// reported, then again at each multiple.
        public var attemptThreshold = 9

        /// Slips' default (9).
        public init() {}
        /// Creates settings with the given threshold.
        public init(attemptThreshold: Int) { self.attemptThreshold = attemptThreshold }

        /// `detection.ssh_password_guessing_threshold` stands for `ssh_attempt_threshold`.
        public static let legacyDetectionKeys = ["ssh_password_guessing_threshold": "ssh_attempt_threshold"]

        enum CodingKeys: String, CodingKey { case attemptThreshold = "ssh_attempt_threshold" }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            attemptThreshold = try section.value(.attemptThreshold, default: attemptThreshold, in: 1...1_000_000)
        }
    }

    /// The confidence of `PASSWORD_GUESSING` evidence.
    public static let confidence = 0.5
    /// Server endpoints (windows count one unit each too) tracked over all profiles.
    public static let stateBudgetUnits = 65_536
    /// Server endpoints one (profile, window) may track.
    public static let windowServerCap = 4_096
    /// Connection uids remembered to count each connection once.
    public static let uidMemory = 65_536
    /// Free units kept, when the budget is full, by dropping states without evidence: more than one banner may
    /// reserve (a state and a server endpoint).
    static let evictionHeadroom = 4

    private let context: DetectorContext
    private let threshold: Int
    private(set) var windowed = WindowedDetectorState<SSHGuessingWindow>(
        budgetUnits: SSHPasswordGuessingDetector.stateBudgetUnits, owner: SSHPasswordGuessingDetector.name,
        evictionHeadroom: SSHPasswordGuessingDetector.evictionHeadroom)
    private var counted = BoundedUIDMap<Void>(capacity: SSHPasswordGuessingDetector.uidMemory)

    /// The budget every window state draws from.
    var budget: StateBudget { windowed.budget }
    /// The per-(profile, window) states.
    var windows: ProfileWindowTable<SSHGuessingWindow> { windowed.windows }
    /// The state budget's counters: units held and at most held, refusals, states dropped to make room.
    public var budgetStatistics: StateBudgetStatistics { budget.statistics }

    /// Subscribes to `new_ssh` and `tw_closed`; reads the `ssh_brute_force:` settings.
    public init(context: DetectorContext) {
        self.context = context
        threshold = max(1, context.detectorSettings(Settings.self).attemptThreshold)
        context.subscribe(.newSSH)
        windowed.subscribe(context)
    }

    /// Handles an SSH banner or a closed window.
    public func main(_ message: ChannelMessage) {
        guard let ssh = message.ssh else { return windowed.handle(message) }
        handle(ssh)
    }

    /// Drops the state of windows that ended more than five minutes ago, once a minute of packet time.
    public func tick(now: PacketTime) { windowed.tick(now: now) }

    private func handle(_ ssh: SSHMessage) {
        guard counted[ssh.uid] == nil else { return }
        counted.set((), for: ssh.uid)
        let threshold = self.threshold
        let budget = self.budget
        let server = SSHGuessingWindow.Server(ip: ssh.server, port: ssh.serverPort)
        let report: (count: Int, uids: [FlowUID])?? = windowed.withState(of: ssh) { state in
            if state.servers[server] == nil {
                guard state.reserve(cap: Self.windowServerCap, budget: budget) else { return nil }
                state.servers[server] = SSHGuessingWindow.Attempts()
            }
            state.servers[server]!.count += 1
            state.attempts += 1
            state.servers[server]!.sinceReport.append(ssh.uid)
            let attempts = state.servers[server]!
            guard attempts.count % threshold == 0 else { return nil }
            state.servers[server]!.sinceReport.removeAll(keepingCapacity: true)
            state.reported = true
            return (attempts.count, attempts.sinceReport)
        }
        guard let found = report, let found else { return }
        emit(ssh, attempts: found.count, uids: found.uids)
    }

    private func emit(_ ssh: SSHMessage, attempts: Int, uids: [FlowUID]) {
        let text = "SSH password guessing from \(ssh.client) to \(ssh.server) port \(ssh.serverPort)/TCP: "
            + "\(attempts) SSH connections in this time window. "
            + "Confidence: \(DecimalText.format(Self.confidence))."
        context.setEvidence(Evidence(
            type: .PASSWORD_GUESSING, description: text,
            attacker: Attacker(direction: .SRC, value: "\(ssh.client)"),
            victim: Victim(direction: .DST, value: "\(ssh.server)"),
            threatLevel: .high, confidence: Self.confidence, profile: ssh.profile,
            timeWindow: ssh.timeWindow, uids: uids, timestamp: ssh.time,
            srcPort: ssh.clientPort, dstPort: ssh.serverPort, proto: .tcp))
    }
}
