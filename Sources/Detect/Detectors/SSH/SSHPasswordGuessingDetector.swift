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
/// Slips counts each session Zeek does not mark successful as one attempt when Zeek saw no attempts). So every
/// connection is one attempt, as Slips counts sessions without `auth_attempts`.
///
/// Slips' `brute_force_detector`: `PASSWORD_GUESSING` when the connections from the client (the profile) to one
/// server IP and port in a time window reach `ssh_brute_force.ssh_attempt_threshold` (9), then whenever Slips'
/// reporting bucket `⌊log2(attempts − threshold + 1)⌋` grows: at 9, 10, 12, 16, 24, 40, 72, … attempts. Threat
/// medium; confidence `0.5 + 0.4 × (attempts − threshold) / (30 − threshold)` plus a banner bonus (+0.07 for an
/// automation client such as libssh, paramiko or hydra, +0.02 for OpenSSH, PuTTY, Dropbear or WinSCP), rounded
/// to two decimals and at most 0.99, and 1.0 from 30 attempts (`max(threshold, 30)`). Description in Slips'
/// words: `SSH brute force detector from 10.0.0.5 to 10.0.0.9 on ssh 22/tcp. Attempts observed: 9. Client
/// banner: SSH-2.0-libssh_0.9.6 from ssh.log. Confidence: 0.57. by Slips`. Attacker: the client; victim: the
/// server; `dstPort` the server port, proto TCP; `uids`: the most recent connections (at most 32); time: the
/// latest connection's.
///
/// Memory: per (profile, window) a counter and at most 32 uids and a banner per server endpoint, at most
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
        /// `ssh_attempt_threshold` (Slips' key): SSH connections to one server endpoint per window at which the
        /// first evidence is set.
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

    /// Attempts at which Slips' confidence reaches 1 (or the threshold, when higher).
    public static let fullConfidenceAttempts = 30
    /// Client banner words of automation tools and of common interactive clients (Slips' banner bonus).
    static let automationBannerTokens = ["libssh", "libssh2", "paramiko", "hydra", "medusa", "ncrack", "net::ssh",
                                         "net-ssh", "asyncssh", "jsch", "sshj"]
    static let knownClientBannerTokens = ["openssh", "putty", "dropbear", "winscp"]
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

    /// Slips' reporting bucket of an attempt count: -1 below the threshold, else ⌊log2(attempts − threshold + 1)⌋.
    static func reportingBucket(attempts: Int, threshold: Int) -> Int {
        guard attempts >= threshold else { return -1 }
        var value = attempts - threshold + 1
        var bucket = 0
        while value > 1 { value >>= 1; bucket += 1 }
        return bucket
    }

    /// Slips' confidence for `attempts` attempts with the client banner `banner` (from ssh.log).
    static func confidence(attempts: Int, threshold: Int, banner: String?) -> Double {
        let full = max(threshold, fullConfidenceAttempts)
        if attempts >= full { return 1 }
        let ratio = min(1, Double(max(0, attempts - threshold)) / Double(max(1, full - threshold)))
        var value = 0.5 + 0.4 * ratio
        if let banner = banner?.lowercased(), !banner.isEmpty {
            if automationBannerTokens.contains(where: { banner.contains($0) }) {
                value += 0.07
            } else if knownClientBannerTokens.contains(where: { banner.contains($0) }) {
                value += 0.02
            }
        }
        return SlipsNumbers.rounded(min(0.99, value), digits: 2)
    }

    private struct Report {
        var attempts: Int
        var uids: [FlowUID]
        var banner: String?
    }

    private func handle(_ ssh: SSHMessage) {
        let isNewConnection = counted[ssh.uid] == nil
        if isNewConnection { counted.set((), for: ssh.uid) }
        // A connection counts once; the client's banner is kept even when it comes second.
        guard isNewConnection || !ssh.fromServer else { return }
        let threshold = self.threshold
        let budget = self.budget
        let server = SSHGuessingWindow.Server(ip: ssh.server, port: ssh.serverPort)
        let report: Report?? = windowed.withState(of: ssh) { state in
            if state.servers[server] == nil {
                guard state.reserve(cap: Self.windowServerCap, budget: budget) else { return nil }
                state.servers[server] = SSHGuessingWindow.Attempts()
            }
            if !ssh.fromServer { state.servers[server]!.clientBanner = ssh.banner }
            guard isNewConnection else { return nil }
            state.servers[server]!.count += 1
            state.attempts += 1
            state.servers[server]!.remember(ssh.uid)
            let attempts = state.servers[server]!
            let bucket = Self.reportingBucket(attempts: attempts.count, threshold: threshold)
            guard bucket > attempts.reportedBucket else { return nil }
            state.servers[server]!.reportedBucket = bucket
            state.reported = true
            return Report(attempts: attempts.count, uids: attempts.uids, banner: attempts.clientBanner)
        }
        guard let found = report, let found else { return }
        emit(ssh, found)
    }

    private func emit(_ ssh: SSHMessage, _ report: Report) {
        let confidence = Self.confidence(attempts: report.attempts, threshold: threshold, banner: report.banner)
        let port = ServiceNames.described(ssh.serverPort, .tcp).drop { $0 == " " }
        var text = "SSH brute force detector from \(ssh.client) to \(ssh.server) on \(port). "
            + "Attempts observed: \(report.attempts)."
        if let banner = report.banner, !banner.isEmpty { text += " Client banner: \(banner) from ssh.log." }
        text += " Confidence: \(SlipsNumbers.pythonFloat(confidence)). by Slips"
        context.setEvidence(Evidence(
            type: .PASSWORD_GUESSING, description: text,
            attacker: Attacker(direction: .SRC, value: "\(ssh.client)"),
            victim: Victim(direction: .DST, value: "\(ssh.server)"),
            threatLevel: .medium, confidence: confidence, profile: ssh.profile,
            timeWindow: ssh.timeWindow, uids: report.uids, timestamp: ssh.time,
            srcPort: ssh.clientPort, dstPort: ssh.serverPort, proto: .tcp))
    }
}
