import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM set one flag that capture loops poll; a second signal exits at once.
enum StopSignal {
    static let requested = Atomic<Int>(0)

    /// Installs the handlers (on the main thread, before any other thread exists).
    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            if StopSignal.requested.add(1, ordering: .relaxed).newValue > 1 { _exit(130) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        signal(SIGPIPE, SIG_IGN)
        // A parent may have started us with these blocked (some process launchers pass their mask on).
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) > 0 }

    /// Asks the run to stop as a signal would (a capture thread that failed), without counting as a second
    /// signal.
    static func request() {
        _ = requested.compareExchange(expected: 0, desired: 1, ordering: .relaxed)
    }
}
