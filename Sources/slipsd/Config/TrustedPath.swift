#if canImport(Glibc)
import Glibc
#endif

/// sshd's StrictModes for slipsd's inputs: a file that decides what gets blocked (the configuration, the
/// whitelist, feed lists) is read only if nobody but root and the invoking user could have written it.
///
/// The file and every directory above it must be owned by root or by the real user running slipsd and must
/// not be writable by group or others. One exception, as for /tmp: a directory writable by everyone but with
/// the sticky bit set is accepted when the entry below it belongs to root or the user (nobody else can replace
/// or rename it there). Symbolic links are followed by `realpath` first, so the check is on the real path.
enum TrustedPath {
    /// The real user who started slipsd, taken at the first check (the configuration is read before the
    /// privilege drop): after the drop `getuid()` is the unprivileged daemon user, whose files must not become
    /// trusted (it is the account that parses hostile traffic).
    private static let invokingUser: uid_t = getuid()

    /// Why `path` cannot be trusted, or nil when it can.
    static func problem(with path: String) -> String? {
        guard let resolved = realpath(path, nil) else {
            return "cannot resolve the path: \(String(cString: strerror(errno)))"
        }
        defer { free(resolved) }
        let real = String(cString: resolved)
        let trusted: Set<uid_t> = [0, invokingUser]
        var components = real.split(separator: "/").map(String.init)
        var current = real
        var child: stat? = nil
        while true {
            var info = stat()
            guard lstat(current, &info) == 0 else {
                return "cannot inspect \(current): \(String(cString: strerror(errno)))"
            }
            let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            let writableByOthers = info.st_mode & (S_IWGRP | S_IWOTH) != 0
            let sticky = info.st_mode & S_ISVTX != 0
            if !trusted.contains(info.st_uid) {
                return "\(current) is owned by uid \(info.st_uid), not by root or the user running slipsd"
            }
            if writableByOthers {
                let protectedBySticky = isDirectory && sticky && child.map { trusted.contains($0.st_uid) } == true
                if !protectedBySticky {
                    return "\(current) is writable by \(info.st_mode & S_IWOTH != 0 ? "everyone" : "its group") (mode \(String(info.st_mode & 0o7777, radix: 8)))"
                }
            }
            if current == "/" { return nil }
            child = info
            components.removeLast()
            current = "/" + components.joined(separator: "/")
        }
    }

    /// True when `path` is a regular file owned by the real user running slipsd (for the working-directory
    /// default `config/slipsd.yaml`, which applies only then).
    static func isOwnedByInvokingUser(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_uid == invokingUser
    }

    /// Why slipsd must not write its outputs into `directory`, or nil when it may (or when it does not exist yet:
    /// it is then created 0750). The directory must be a real directory — not a symbolic link — writable by nobody
    /// else, owned by the effective user or by `daemonUser`, the user an inline daemon drops to (an output
    /// directory an earlier run gave it, as systemd's `LogsDirectory=` does). In a directory `daemonUser` owns,
    /// every regular file must have one link (no hard link to a file elsewhere that root would then write);
    /// symbolic links are refused when opened (`O_NOFOLLOW`).
    static func outputDirectoryProblem(_ directory: String, daemonUser: uid_t? = nil) -> String? {
        var info = stat()
        guard lstat(directory, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) == S_IFLNK { return "\(directory) is a symbolic link" }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return "\(directory) is not a directory" }
        let ownedByDaemonUser = daemonUser.map { info.st_uid == $0 && $0 != geteuid() } ?? false
        if info.st_uid != geteuid() && !ownedByDaemonUser {
            return "\(directory) is owned by uid \(info.st_uid), not by slipsd's user"
        }
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            return "\(directory) is writable by others (mode \(String(info.st_mode & 0o7777, radix: 8)))"
        }
        return ownedByDaemonUser ? hardLinkProblem(in: directory, depth: 0) : nil
    }

    /// A regular file with more than one link under `directory` (two levels deep), or nil.
    private static func hardLinkProblem(in directory: String, depth: Int) -> String? {
        guard let handle = opendir(directory) else { return "cannot list \(directory): \(String(cString: strerror(errno)))" }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != ".", name != ".." else { continue }
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG where info.st_nlink > 1:
                return "\(path) has \(info.st_nlink) hard links"
            case S_IFDIR where depth == 0:
                if let problem = hardLinkProblem(in: path, depth: 1) { return problem }
            default:
                continue
            }
        }
        return nil
    }
}
