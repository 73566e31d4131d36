#if canImport(Glibc)
import Glibc
#endif

/// A Unix-domain socket path as the `sockaddr_un` that `bind` and `connect` take, built in one place for the
/// control server and its client. The path must fit `sun_path` with its terminating NUL (107 bytes).
struct UnixSocketAddress {
    private var address = sockaddr_un()

    /// The address of `path`, or nil when the path is too long for `sun_path`.
    init?(path: String) {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
    }

    /// Calls `body` with the address as a `sockaddr` and its length (for `bind`/`connect`).
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
