import NetCore
import CPrivileges
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The inline daemon's feed downloader, a child process of its own. After set-up the daemon runs as an
/// unprivileged user under a system-call filter that allows no internet socket and no connect (it parses hostile
/// traffic), and files its user wrote are not trusted; so the downloads are done by `slipsd --feed-helper`,
/// started before the privilege drop. The helper keeps the invoking user (the files it writes stay trusted),
/// gives up every capability and sets no-new-privileges, and waits on standard input: for each line `update` it
/// runs one `FeedUpdateCommand.pass` and answers with its lines (`line …`) and `done FAILED TOTAL`. It ends at
/// end of input — also when the daemon dies, as the pipe closes.
enum FeedHelper {
    /// The helper's loop (`--feed-helper`).
    /// - Parameter seccomp: the daemon's `daemon.seccomp` mode, applied with `FeedHelperSeccomp.rules` before
    ///   the first request (`seccomp-probe` makes one call outside them, for the tests).
    static func serve(_ settings: ThreatIntelSettings, seccomp: SeccompMode = .enforce) -> Int32 {
        _ = cpriv_set_no_new_privs()
        _ = cpriv_clear_ambient()
        for cap in 0..<64 where cpriv_capbset_read(Int32(cap)) == 1 { _ = cpriv_capbset_drop(Int32(cap)) }
        _ = cpriv_capset(0)
        let downloader = FeedDownloader(timeout: .seconds(settings.downloadTimeoutSeconds),
                                        maximumBytes: settings.downloadMaxBytes,
                                        extraTrustRoots: settings.downloadCAFile)
        defer { downloader.shutdown() }
        if seccomp != .off {
            do {
                let line = try SeccompFilter.install(mode: seccomp, rules: FeedHelperSeccomp.rules)
                Console.out("line feed helper " + line)
            } catch {
                Console.out("line feed helper: \(error)")
                return 1
            }
        }
        while let request = readLine(strippingNewline: true) {
            if request == "seccomp-probe" {
                // A call outside the allowlist: under the filter (enforce) the helper dies here by SIGSYS.
                Console.out("line feed helper: getppid returned \(getppid())")
                continue
            }
            guard request == "update" else { continue }
            let pass = FeedUpdateCommand.pass(settings, fetcher: downloader)
            var answer = ""
            for line in pass.messages + pass.outcomes.map(\.line) + [pass.summary] {
                answer += "line " + line.replacingNewlines() + "\n"
            }
            answer += "done \(pass.fatal == nil ? pass.failed : -1) \(pass.outcomes.count)\n"
            Console.out(String(answer.dropLast()))
        }
        return 0
    }
}

/// The daemon's side of `FeedHelper`: the child and its two pipes. Used by the feed refresh thread only.
final class FeedHelperProcess: Sendable {
    private let pid: pid_t
    private let requests: Int32
    private let answers: Int32
    /// Set when the helper stopped answering: it is not asked again.
    private let broken = Atomic<Bool>(false)

    /// Starts `/proc/self/exe --feed-helper [-c config]` with its standard input and output on pipes and its
    /// standard error the daemon's.
    /// - Throws: `SlipsdError` when the pipes or the process cannot be created.
    init(configPath: String?) throws {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0 else { throw SlipsdError.current("creating a pipe for", object: "the feed helper") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw SlipsdError.current("creating a pipe for", object: "the feed helper")
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        // The daemon blocks its stop signals for its own handling: the helper starts with none blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let binary = "/proc/self/exe"
        let arguments = ["slipsd", "--feed-helper"] + (configPath.map { ["-c", $0] } ?? [])
        let environment = ["LC_ALL=C", "PATH=/usr/bin:/bin"]
        var child: pid_t = 0
        let status = Self.withCStrings(arguments) { argv in
            Self.withCStrings(environment) { envp in posix_spawn(&child, binary, &actions, &attributes, argv, envp) }
        }
        close(toChild[0]); close(fromChild[1])
        guard status == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw SlipsdError("starting", object: "the feed helper", reason: String(cString: strerror(status)))
        }
        pid = child
        requests = toChild[1]
        answers = fromChild[0]
    }

    /// Asks for one download pass and waits for its answer (polling every 200 ms, giving up when `stop` says
    /// so or after `timeout`).
    /// - Returns: the helper's lines, and false when the pass failed for every feed or the helper is gone.
    func update(timeout: Duration, stop: () -> Bool) -> (lines: [String], ok: Bool) {
        guard !broken.load(ordering: .relaxed) else { return (["feed helper: not running (see above)"], false) }
        let request = Array("update\n".utf8)
        let sent = request.withUnsafeBytes { write(requests, $0.baseAddress!, $0.count) }
        guard sent == request.count else {
            broken.store(true, ordering: .relaxed)
            return (["feed helper: cannot be asked (\(String(cString: strerror(errno)))): feeds are not downloaded any more"], false)
        }
        var lines: [String] = []
        var pending: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var chunk = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline, !stop() {
            var descriptor = pollfd(fd: answers, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { read(answers, $0.baseAddress!, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                broken.store(true, ordering: .relaxed)
                return (lines + ["feed helper: exited: feeds are not downloaded any more (restart slipsd)"], false)
            }
            pending += chunk[0..<n]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if line.hasPrefix("line ") { lines.append(String(line.dropFirst(5))) }
                if line.hasPrefix("done ") {
                    let fields = line.split(separator: " ")
                    let failed = fields.count > 1 ? Int(fields[1]) ?? -1 : -1
                    let total = fields.count > 2 ? Int(fields[2]) ?? 0 : 0
                    return (lines, failed >= 0 && (failed < total || total == 0))
                }
            }
        }
        // No answer in time: a later answer would be read as this one's, so the helper is not asked again.
        broken.store(true, ordering: .relaxed)
        return (lines + ["feed helper: no answer within \(timeout.components.seconds) s: feeds are not downloaded any more (restart slipsd)"], false)
    }

    /// Closes the pipes: the helper ends at end of input (it is reaped by whoever waits for the daemon).
    func shutDown() {
        Glibc.close(requests)
        Glibc.close(answers)
    }

    /// The helper's process id.
    var processID: pid_t { pid }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}

extension String {
    /// The text with line breaks as spaces (one protocol line).
    func replacingNewlines() -> String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}
