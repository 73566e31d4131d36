import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM set one flag that capture loops poll; a second signal exits at once. SIGHUP, when asked for
/// (the inline daemon), counts a reload request instead of terminating the process.
enum StopSignal {
    static let requested = Atomic<Int>(0)
    /// SIGHUPs received; the daemon reloads once for every change it sees.
    static let reloads = Atomic<Int>(0)

    /// Installs the handlers (on the main thread, before any other thread exists).
    /// - Parameter reload: also catch SIGHUP as a reload request (otherwise it keeps its default action).
    static func install(reload: Bool = false) {
        let handler: @convention(c) (Int32) -> Void = { _ in
            if StopSignal.requested.add(1, ordering: .relaxed).newValue > 1 { _exit(130) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        signal(SIGPIPE, SIG_IGN)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        if reload {
            let hangUp: @convention(c) (Int32) -> Void = { _ in StopSignal.reloads.add(1, ordering: .relaxed) }
            signal(SIGHUP, hangUp)
            sigaddset(&unblock, SIGHUP)
        }
        // A parent may have started us with these blocked (some process launchers pass their mask on).
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) > 0 }

    /// How many SIGHUPs arrived so far.
    static var reloadCount: Int { reloads.load(ordering: .relaxed) }

    /// Asks the run to stop as a signal would (a capture thread that failed), without counting as a second
    /// signal.
    static func request() {
        _ = requested.compareExchange(expected: 0, desired: 1, ordering: .relaxed)
    }
}
