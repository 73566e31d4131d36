import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs Debian's `nfdump` binary on a capture file as a child process, without a shell:
/// `nfdump -b -o csv -r FILE` with `TZ=UTC` (so its times are UTC), standard output on a pipe the caller reads as
/// lines, standard error into an unlinked temporary file read after the child ends (it cannot block the child).
/// `-b` pairs the two directions of a connection into one flow, as Slips runs it.
///
/// The thin wrapper around `posix_spawn`, `pipe`, `mkstemp`, `waitpid`. Confined to the reading thread.
final class NfdumpProcess {
    /// Where Debian puts the binary, then the other usual places; `PATH` is not searched (a root daemon should
    /// not run whatever an earlier `PATH` entry holds).
    static let searchedPaths = ["/usr/bin/nfdump", "/usr/local/bin/nfdump", "/usr/sbin/nfdump", "/bin/nfdump"]

    /// The binary, or nil when none is installed.
    static func binary(in paths: [String] = searchedPaths) -> String? { paths.first { access($0, X_OK) == 0 } }

    /// The read end of the child's standard output.
    let output: Int32
    private let pid: pid_t
    private let errorFile: Int32
    private var finished = false

    /// Starts `nfdump` on `file`.
    /// - Throws: `CaptureError` when the binary is missing (one message that says how to install it) or cannot
    ///   be started.
    /// - Parameter binaries: where to look for the binary (tests pass paths that do not exist).
    init(file: String, binaries: [String] = searchedPaths) throws(CaptureError) {
        guard let binary = Self.binary(in: binaries) else {
            throw CaptureError(operation: "reading nfdump file", object: file,
                               reason: "the nfdump binary is not installed (Debian: apt-get install nfdump, or make deps)")
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CaptureError.system("creating a pipe for nfdump on", object: file, errno: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }       // the child gets them only through dup2
        var template = Array("/tmp/slipsd-nfdump-XXXXXX".utf8CString)
        let errorFile = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard errorFile >= 0 else {
            close(fds[0]); close(fds[1])
            throw CaptureError.system("creating a file for nfdump's messages on", object: file, errno: errno)
        }
        _ = fcntl(errorFile, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorFile, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let arguments = [binary, "-b", "-o", "csv", "-r", file]
        let environment = ["TZ=UTC", "LC_ALL=C", "PATH=/usr/bin:/bin"]
        var child: pid_t = 0
        let status = Self.withCStrings(arguments) { argv in
            Self.withCStrings(environment) { envp in posix_spawn(&child, binary, &actions, nil, argv, envp) }
        }
        close(fds[1])
        guard status == 0 else {
            close(fds[0]); close(errorFile)
            throw CaptureError.system("starting \(binary) on", object: file, errno: status)
        }
        output = fds[0]
        pid = child
        self.errorFile = errorFile
    }

    /// Waits for the child and returns its exit status and the first line it wrote to standard error.
    func wait() -> (status: Int32, message: String) {
        finished = true
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        var message: [UInt8] = Array(repeating: 0, count: 512)
        let n = message.withUnsafeMutableBytes { pread(errorFile, $0.baseAddress!, $0.count, 0) }
        let text = n > 0 ? String(decoding: message[0..<n], as: UTF8.self) : ""
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        let exited = (status & 0x7F) == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), first)
    }

    deinit {
        close(output)
        close(errorFile)
        if !finished {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        }
    }

    /// A NULL-terminated `char *[]` of `strings` for the duration of `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}
