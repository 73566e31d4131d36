import Foundation
import NetCore
import Synchronization

/// Plays systemd's side of `$NOTIFY_SOCKET` in tests (the notifier's own test and the watchdog's): a datagram socket at `path` (writable by the user the
/// daemon drops to) and a thread that records every message with its monotonic arrival time.
final class WatchdogNotifySocket: Sendable {
    let path: String
    private let fd: Int32
    private let received = Mutex<[(seconds: Double, message: String)]>([])
    private let stopFlag = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)

    /// Binds the socket (0666, so an unprivileged daemon can send) and starts the reader thread.
    init(path: String) throws {
        self.path = path
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        guard fd >= 0 else { throw NamespaceError(command: "socket(AF_UNIX)", output: String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes); raw[bytes.count] = 0 }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o666) == 0 else {
            Glibc.close(fd)
            throw NamespaceError(command: "bind \(path)", output: String(cString: strerror(errno)))
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let reader = try OSThread.spawn(name: "test-notify") { [self] in self.readLoop(fd) }
        thread.withLock { $0 = reader }
    }

    private func readLoop(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopFlag.load(ordering: .relaxed) {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { continue }
            let message = String(decoding: buffer[0..<n], as: UTF8.self)
            let now = MonotonicClock.now()
            received.withLock { $0.append((now, message)) }
        }
    }

    /// Every message so far, with its arrival time (`MonotonicClock.now()`).
    var messages: [(seconds: Double, message: String)] { received.withLock { $0 } }

    /// Arrival times of the messages that contain `WATCHDOG=1`.
    var watchdogPings: [Double] {
        messages.filter { $0.message.split(separator: "\n").contains("WATCHDOG=1") }.map(\.seconds)
    }

    /// Stops the reader and removes the socket.
    func stop() {
        stopFlag.store(true, ordering: .relaxed)
        let reader = thread.withLock { value -> OSThread? in defer { value = nil }; return value }
        reader?.join()
        Glibc.close(fd)
        unlink(path)
    }
}
