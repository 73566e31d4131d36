import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// The inline daemon's output directory belongs to the user it drops to, as systemd's `LogsDirectory=` does, so
/// that after log rotation (SIGHUP) it can create its files again. Only a directory this run created is given
/// away: one that existed before keeps its owner (the operator's choice; reopening then needs the files to be
/// there, e.g. logrotate's `create`).
enum OutputDirectoryOwnership {
    /// True when `path` does not exist yet (checked before the outputs are created).
    static func isNew(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) != 0 && errno == ENOENT
    }

    /// Gives the directory this run created, and everything it created inside it (files, one level of
    /// subdirectories), to `uid`/`gid`, never following a symbolic link.
    /// - Throws: `SystemError` naming the first entry that could not be given.
    static func give(_ path: String, uid: uid_t, gid: gid_t) throws(SystemError) {
        try give(path, uid: uid, gid: gid, depth: 0)
    }

    private static func give(_ path: String, uid: uid_t, gid: gid_t, depth: Int) throws(SystemError) {
        guard lchown(path, uid, gid) == 0 else { throw SystemError.current("giving the output directory's entry", object: path) }
        var info = stat()
        guard depth < 2, lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return }
        guard let directory = opendir(path) else { throw SystemError.current("listing", object: path) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        for name in names { try give(path + "/" + name, uid: uid, gid: gid, depth: depth + 1) }
    }
}
