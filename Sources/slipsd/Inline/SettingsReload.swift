import Blocker
import Detect
import Logging
import NetCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What a SIGHUP changes in a running inline daemon without touching the queue: the whitelist (flows of
/// whitelisted hosts are ignored from then on, and they are never blocked) and the blocking policy and
/// allowlist. Every other key takes effect at the next start. The files are read after the privilege drop, as
/// the daemon's user (`daemon.user`): they must be readable by it, or the reload is refused with the error.
/// Entries a reload removes from the whitelist stop filtering flows at once, but the detection engine keeps its
/// start-up whitelist for evidence until restart (`EvidenceHandler.whitelist` is fixed at creation).
struct ReloadedSettings: Sendable {
    /// The whitelist file's entries (empty when the whitelist is disabled).
    var whitelist: Whitelist
    /// `blocking.duration`, `blocking.escalate`, `blocking.max_duration`.
    var policy: BlockingPolicy
    /// `blocking.allowlist` and the whitelist, for the response stage.
    var allowlist: [ResponseStage.AllowedRange]
    /// One line saying what was loaded, for the logs.
    var summary: String

    /// Reads the configuration file (or the defaults when there is none) and the whitelist it names.
    /// - Throws: `ConfigError` for a bad YAML file, `SystemError` or `Whitelist.ParseError` for the whitelist.
    init(configPath: String?) throws {
        let settings = try configPath.map { path throws(ConfigError) in try ConfigLoader.load(path: path) }
            ?? SlipsdSettings()
        let loaded = try WhitelistLoader.load(settings, trusted: false)    // read as the daemon's user
        let whitelist = loaded.whitelist
        let whitelistSource = loaded.source
        self.whitelist = whitelist
        policy = ResponseWiring.policy(settings)
        allowlist = ResponseWiring.allowlist(settings, whitelist: whitelist)
        let hosts = whitelist.addresses.count + whitelist.networks.count
        summary = "whitelist \(whitelistSource) (\(hosts) addresses and networks, \(whitelist.macs.count) MACs, "
            + "\(whitelist.domains.count) domains, \(whitelist.organizations.count) organizations), "
            + "blocking allowlist \(settings.blocking.allowlist.count) entries, duration "
            + (policy.fixedSeconds == 0 ? "until the end of the next time window" : "\(policy.fixedSeconds) s")
            + (policy.escalate ? " escalating up to \(policy.maxSeconds) s" : "")
    }

    /// The file the run's settings came from: `-c FILE`, else the first readable of `config/slipsd.yaml` and
    /// `/etc/slipsd/slipsd.yaml` (as at start-up), else nil (built-in defaults).
    static func configPath(options: Slipsd) -> String? {
        if let path = options.configFile { return path }
        return ["config/slipsd.yaml", "/etc/slipsd/slipsd.yaml"].first { access($0, R_OK) == 0 }
    }
}

/// Hands reloaded settings from the main thread (which reads the files after SIGHUP) to the detection thread
/// (which applies them at its next event). The detection thread pays one relaxed atomic load per event; the
/// lock is taken only when the generation moved.
final class SettingsReload: Sendable {
    private let generationCounter = Atomic<Int>(0)
    private let hangUpCounter = Atomic<Int>(0)
    private let latest = Mutex<ReloadedSettings?>(nil)

    /// Nothing published yet.
    init() {}

    /// Publishes new settings (main thread). A later publish replaces one not yet taken.
    func publish(_ settings: ReloadedSettings) {
        latest.withLock { $0 = settings }
        generationCounter.add(1, ordering: .releasing)
        hangUpCounter.add(1, ordering: .releasing)
    }

    /// Increases with every `publish`.
    var generation: Int { generationCounter.load(ordering: .acquiring) }

    /// A SIGHUP whose settings were refused (main thread): the detection thread still reopens its output files,
    /// since log rotation signals whatever the configuration says.
    func noteHangUp() { hangUpCounter.add(1, ordering: .releasing) }

    /// Increases with every handled SIGHUP: each `publish` and each `noteHangUp`.
    var hangUps: Int { hangUpCounter.load(ordering: .acquiring) }

    /// The settings last published (detection thread).
    func current() -> ReloadedSettings? { latest.withLock { $0 } }
}

/// SIGHUP on the main thread: re-reads the configuration and whitelist, refuses a bad file (the old settings
/// stay), publishes a good one to the detection thread, and asks it to reopen its output files.
struct SettingsReloader {
    let configPath: String?
    let reload: SettingsReload
    private let logger = Logger(label: "slipsd.inline")

    /// Reads and publishes; logs what happened either way (`slipsd.inline`, stderr). Either way the detection
    /// thread then reopens the output files (log rotation).
    func reloadNow() {
        let source = configPath ?? "built-in defaults"
        do {
            let settings = try ReloadedSettings(configPath: configPath)
            reload.publish(settings)
            logger.notice("SIGHUP: reloaded \(source): \(settings.summary); other keys take effect at restart")
        } catch {
            logger.error("SIGHUP: refusing to reload \(source): \(error); the previous settings stay")
            reload.noteHangUp()
        }
    }
}
