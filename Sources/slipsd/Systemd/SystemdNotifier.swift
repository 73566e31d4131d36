#if canImport(Glibc)
import Glibc
#endif

/// Sends `READY=1`, `RELOADING=1`, `STOPPING=1` and `STATUS=…` to systemd through `$NOTIFY_SOCKET`
/// (Type=notify), without libsystemd. The socket is opened at set-up (before the drop); does nothing when the
/// variable is unset. Immutable after `init`; `notify` may be called from any thread.
final class SystemdNotifier: Sendable {
    private let fd: Int32
    private let address: sockaddr_un
    private let length: socklen_t

    /// Opens a datagram socket for `environmentPath` (`$NOTIFY_SOCKET`; `@…` is the abstract namespace), or
    /// returns nil when it is unset, too long, or no socket can be opened.
    init?(environmentPath: String? = getenv("NOTIFY_SOCKET").map { String(cString: $0) }) {
        guard let path = environmentPath, !path.isEmpty else { return nil }
        var bytes = Array(path.utf8)
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }                // abstract namespace
        var address = sockaddr_un()
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes) }
        self.address = address
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    }

    deinit { close(fd) }

    /// Sends one state message (e.g. `READY=1\nSTATUS=…`); failures are ignored (systemd may be gone).
    func notify(_ state: String) {
        var bytes = Array(state.utf8)
        var target = address
        _ = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                sendto(fd, &bytes, bytes.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length)
            }
        }
    }

    /// `RELOADING=1` with the `MONOTONIC_USEC` that `Type=notify-reload` requires.
    func notifyReloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        notify("RELOADING=1\nMONOTONIC_USEC=\(Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000)")
    }
}
