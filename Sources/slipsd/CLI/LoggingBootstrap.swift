import Logging
import Synchronization

/// swift-log's one bootstrap for the process: every `Logger` (`slipsd.inline`, `slipsd.block`, `slipsd.detect`,
/// …) writes through `StderrLogHandler` to stderr (journald under systemd), keeping stdout for command output.
/// Info and above by default, debug with `-v`.
enum LoggingBootstrap {
    private static let done = Atomic<Bool>(false)

    /// Bootstraps once (later calls do nothing: swift-log traps on a second bootstrap). Main thread, before any
    /// other thread exists.
    static func once(verbosity: Int) {
        guard done.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        let level: Logger.Level = verbosity > 0 ? .debug : .info
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
    }
}
