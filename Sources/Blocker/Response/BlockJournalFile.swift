import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// The system calls behind the state file, on one open directory: the file is opened with `openat` and
/// `O_NOFOLLOW` relative to that directory, checked with `fstat` on the descriptor that is then read (no window
/// between check and use), and replaced atomically (a temporary file in the same directory, `fsync`, `renameat`,
/// `fsync` of the directory). Changes are serialised across processes (the daemon and `slipsd --block`) by an
/// exclusive `flock` on the directory.
///
/// Not `Sendable`: one value per operation, closed by `close()`.
struct BlockJournalFile {
    /// Why the file was not read.
    enum ReadProblem: Error {
        /// Owner, mode or type make it untrustworthy; the text says which.
        case untrusted(String)
        /// A system call failed.
        case system(BlockerError)
    }

    /// The directory's path.
    let directory: String
    /// The file's name in it.
    let name: String
    private let fd: Int32
    /// The directory's owner and group: new files get them when root writes (the daemon's user can read them).
    let owner: (uid: uid_t, gid: gid_t)

    /// Opens `directory` (not following a symbolic link at its last component) and checks it: a directory owned
    /// by one of `trustedOwners`, writable by nobody else.
    /// - Throws: `BlockerError` naming the directory and the problem.
    init(directory: String, name: String, trustedOwners: Set<UInt32>) throws {
        self.directory = directory
        self.name = name
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw BlockerError.system("opening the state directory \(directory)") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = BlockerError.system("inspecting the state directory \(directory)")
            Glibc.close(fd)
            throw error
        }
        if let problem = Self.untrusted(info, trustedOwners: trustedOwners, what: directory) {
            Glibc.close(fd)
            throw BlockerError(operation: "using the state directory \(directory)", reason: problem)
        }
        self.fd = fd
        owner = (info.st_uid, info.st_gid)
    }

    /// Closes the directory (and releases the lock).
    func close() { Glibc.close(fd) }

    /// Takes the directory's exclusive lock (waits for another process that holds it).
    func lock() throws {
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw BlockerError.system("locking the state directory \(directory)")
        }
    }

    /// The file's bytes, or nil when it does not exist.
    /// - Throws: `ReadProblem.untrusted` for a symbolic link, a non-regular file, an owner outside
    ///   `trustedOwners`, or a file writable by group or others; `.system` when a call fails.
    /// The largest file read (about 100,000 blocks); `BlockJournal` never writes a larger one.
    static let sizeLimit = 16 << 20

    func read(trustedOwners: Set<UInt32>, limit: Int = BlockJournalFile.sizeLimit) throws(ReadProblem) -> [UInt8]? {
        let file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard file >= 0 else {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw .untrusted("\(path) is a symbolic link") }
            throw .system(BlockerError.system("opening the state file \(path)"))
        }
        defer { Glibc.close(file) }
        var info = stat()
        guard fstat(file, &info) == 0 else { throw .system(BlockerError.system("inspecting the state file \(path)")) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .untrusted("\(path) is not a regular file") }
        if let problem = Self.untrusted(info, trustedOwners: trustedOwners, what: path) { throw .untrusted(problem) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .system(BlockerError.system("reading the state file \(path)")) }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit {
                throw .system(BlockerError(operation: "reading the state file \(path)",
                                           reason: "larger than \(limit) bytes"))
            }
        }
    }

    /// Replaces the file with `bytes`, atomically: `.<name>.<pid>.tmp` created exclusively with mode 0600 (owned
    /// by the directory's owner when root writes), written, `fsync`ed, renamed over the file, then the directory
    /// `fsync`ed. On failure the temporary file is removed and the old file stays.
    /// - Throws: `BlockerError` naming the step.
    func replace(with bytes: [UInt8]) throws {
        let temporary = ".\(name).\(getpid()).tmp"
        unlinkat(fd, temporary, 0)
        let file = openat(fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard file >= 0 else { throw BlockerError.system("creating \(directory)/\(temporary)") }
        var closed = false
        defer {
            if !closed { Glibc.close(file) }
        }
        func fail(_ step: String) -> BlockerError {
            let error = BlockerError.system("\(step) \(directory)/\(temporary)")
            unlinkat(fd, temporary, 0)
            return error
        }
        guard fchmod(file, 0o600) == 0 else { throw fail("setting mode 0600 on") }
        if geteuid() == 0 && (owner.uid != 0 || owner.gid != 0) {
            guard fchown(file, owner.uid, owner.gid) == 0 else { throw fail("giving the directory's owner") }
        }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(file, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw fail("writing") }
            written += count
        }
        guard fsync(file) == 0 else { throw fail("syncing") }
        closed = true
        guard Glibc.close(file) == 0 else { throw fail("closing") }
        guard renameat(fd, temporary, fd, name) == 0 else { throw fail("renaming to \(name)") }
        guard fsync(fd) == 0 else { throw BlockerError.system("syncing the state directory \(directory)") }
    }

    /// Renames the file to `<name>.<suffix>` (or `<name>.<suffix>.<epoch seconds>` when that exists), so a file
    /// slipsd cannot use is kept for the operator instead of being overwritten.
    /// - Returns: the new path, or nil when the rename failed.
    func setAside(suffix: String) -> String? {
        var target = "\(name).\(suffix)"
        var info = stat()
        if fstatat(fd, target, &info, AT_SYMLINK_NOFOLLOW) == 0 {
            target += ".\(WallClock.now().microseconds / 1_000_000)"
        }
        guard renameat(fd, name, fd, target) == 0 else { return nil }
        _ = fsync(fd)
        return "\(directory)/\(target)"
    }

    /// The file's path.
    var path: String { "\(directory)/\(name)" }

    /// Why a file or directory with this `stat` is not trusted, or nil: its owner must be one of
    /// `trustedOwners` and neither its group nor others may write it.
    static func untrusted(_ info: stat, trustedOwners: Set<UInt32>, what: String) -> String? {
        FileTrust.problem(info, what: what, owners: "root or slipsd's user") { trustedOwners.contains($0) }
    }
}
