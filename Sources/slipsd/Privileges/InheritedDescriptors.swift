#if canImport(Glibc)
import Glibc
#endif

/// The file descriptors slipsd inherited from whoever started it. A shell, a supervisor or a test harness can
/// leave descriptors above stderr open across exec (a file, a socket, a terminal); the daemon would hold them,
/// as root and after the privilege drop, for its whole life. `closeAll()` runs first thing in `main`, before
/// set-up opens anything, so every descriptor ≥ 3 open at that moment was inherited.
enum InheritedDescriptors {
    /// Closes every descriptor ≥ 3, found by listing /proc/self/fd (or, without /proc, by trying each number
    /// below the open-files limit, at most 65536).
    /// - Returns: how many were closed.
    @discardableResult
    static func closeAll() -> Int {
        let open = listed() ?? Array(3..<Int32(min(max(sysconf(Int32(_SC_OPEN_MAX)), 1024), 65536)))
        return open.reduce(0) { closed, fd in close(fd) == 0 ? closed + 1 : closed }
    }

    /// The descriptors ≥ 3 that /proc/self/fd lists, without the one used to read it; nil without /proc.
    static func listed() -> [Int32]? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        let own = dirfd(directory)
        var found: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name), fd >= 3, fd != own { found.append(fd) }
        }
        closedir(directory)
        return found
    }
}
