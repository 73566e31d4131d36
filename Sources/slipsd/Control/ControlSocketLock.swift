#if canImport(Glibc)
import Glibc
#endif

/// One daemon per control socket: an exclusive `flock` on `<socket>.lock`, taken before a stale socket file is
/// removed and held, by an open close-on-exec descriptor, for the daemon's life. A second daemon with the same
/// socket cannot take it and stops without touching the first one's socket.
///
/// The file holds the owner's pid, for the refusal message. It stays in place at exit: removing it would let a
/// daemon starting at that moment lock a new file of the same name while another still holds the old one.
final class ControlSocketLock: Sendable {
    /// The lock file's path.
    let path: String
    private let fd: Int32

    /// Takes the lock of `socketPath`, without waiting. Creates the socket's directory (0755) when missing and
    /// gives it to `directoryOwner` (the user the daemon drops to), so the daemon can remove its socket at exit.
    /// - Throws: `SlipsdError` when another process holds it (naming its pid) or the file cannot be opened.
    init(socketPath: String, directoryOwner: uid_t? = nil) throws(SlipsdError) {
        path = socketPath + ".lock"
        let directory = String(socketPath[..<(socketPath.lastIndex(of: "/") ?? socketPath.startIndex)])
        if !directory.isEmpty, mkdir(directory, 0o755) == 0, let directoryOwner {
            chown(directory, directoryOwner, gid_t.max)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw SlipsdError.current("opening the control socket's lock", object: path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno == EWOULDBLOCK
                ? SlipsdError("opening control socket", object: socketPath,
                              reason: "another slipsd already serves it (\(Self.holder(fd)) holds \(path)); stop it, "
                                + "or give this one another daemon.control_socket")
                : SlipsdError.current("locking", object: path)
            close(fd)
            throw failure
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// "pid N" as written by the holder, or "another process".
    private static func holder(_ fd: Int32) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let text = n > 0 ? String(decoding: bytes[0..<n], as: UTF8.self).filter(\.isNumber) : ""
        return text.isEmpty ? "another process" : "pid \(text)"
    }
}
