import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// systemd's watchdog (`WatchdogSec=`): while `$WATCHDOG_USEC` is set (and `$WATCHDOG_PID` is unset or this
/// process), sends `WATCHDOG=1` every half period through the `SystemdNotifier`, but only while
/// `WatchdogLiveness` sees the packet and detection threads make progress. A hung daemon thus stops pinging,
/// systemd kills it after `WatchdogSec`, and the steering rule's bypass lets traffic through until it restarts.
///
/// Driven from the main thread's loop (`tick`, every 100 ms): a stuck main thread stops the pings too.
struct SystemdWatchdog {
    /// Time between pings: half of `$WATCHDOG_USEC`, in nanoseconds.
    let periodNanoseconds: Int64
    private let notifier: SystemdNotifier
    private var liveness = WatchdogLiveness()
    private var lastCheck: Int64
    private var silentSince: Int64?

    /// The watchdog period systemd asks for, or nil when it asks for none.
    /// - Parameters:
    ///   - usec: `$WATCHDOG_USEC` (microseconds; unset, empty, zero or not a number: no watchdog).
    ///   - pid: `$WATCHDOG_PID` (unset: meant for us; another process's id: not for us).
    ///   - ownPID: this process's id.
    static func requestedTimeout(usec: String?, pid: String?, ownPID: Int32) -> Duration? {
        guard let usec, let micros = Int64(usec), micros > 0 else { return nil }
        if let pid, !pid.isEmpty, Int32(pid) != ownPID { return nil }
        return .microseconds(micros)
    }

    /// The watchdog from this process's environment, or nil when systemd asks for none or there is no notify
    /// socket to ping through.
    init?(notifier: SystemdNotifier?) {
        let env = { (name: String) in getenv(name).map { String(cString: $0) } }
        guard let notifier,
              let timeout = Self.requestedTimeout(usec: env("WATCHDOG_USEC"), pid: env("WATCHDOG_PID"),
                                                  ownPID: getpid()) else { return nil }
        self.init(notifier: notifier, timeout: timeout)
    }

    /// A watchdog pinging through `notifier` every `timeout / 2`.
    init(notifier: SystemdNotifier, timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        periodNanoseconds = max(1, (seconds * 1_000_000_000 + attoseconds / 1_000_000_000) / 2)
        self.notifier = notifier
        lastCheck = MonotonicClock.nanoseconds()
    }

    /// The line to log at start-up.
    var description: String {
        "systemd watchdog on: WATCHDOG=1 every \(Double(periodNanoseconds) / 1e9) s while the packet and detection "
            + "threads make progress"
    }

    /// Checks liveness once per period and pings when it holds. Returns a line to log when the pings stop or
    /// start again, else nil.
    mutating func tick(heartbeats: [(queue: UInt16, count: UInt64)], detection: WatchdogLiveness.Detection) -> String? {
        let now = MonotonicClock.nanoseconds()
        guard now - lastCheck >= periodNanoseconds else { return nil }
        lastCheck = now
        if let problem = liveness.check(heartbeats: heartbeats, detection: detection) {
            defer { if silentSince == nil { silentSince = now } }
            return silentSince == nil ? "systemd watchdog: not pinging: \(problem)" : nil
        }
        notifier.notify("WATCHDOG=1")
        guard let since = silentSince else { return nil }
        silentSince = nil
        return "systemd watchdog: pinging again after \(Double(now - since) / 1e9) s"
    }
}
