import NetCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks reachability between two test namespaces with one UDP request and its echo (there is no `ping` on
/// the test machines): a server in `serverNamespace` answers one datagram; a client in `clientNamespace` sends
/// to it and waits up to `timeout` for the echo. Three attempts, so a lost first packet (neighbour resolution)
/// does not count as a drop.
enum UDPProbe {
    /// True when the echo came back.
    static func reachable(from clientNamespace: String, to serverAddress: String, in serverNamespace: String,
                          port: UInt16 = 47_001, timeout: Double = 0.7) async throws -> Bool {
        try await inNamespace(clientNamespace) {
            let ready = DispatchSemaphore(value: 0)
            let finished = DispatchSemaphore(value: 0)
            let stop = Stop()
            let server = Thread {
                defer { finished.signal() }
                do {
                    try enterNamespace(serverNamespace)
                    _ = try serve(address: serverAddress, port: port, ready: ready, stop: stop, timeout: timeout * 4)
                } catch {
                    ready.signal()
                }
            }
            server.start()
            ready.wait()
            let answered = try ask(address: serverAddress, port: port, timeout: timeout)
            stop.set()
            finished.wait()
            return answered
        }
    }

    /// A flag the client raises so the server stops waiting early.
    final class Stop: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.lock(); value = true; lock.unlock() }
        var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    }

    /// Builds a sockaddr for `address:port` and calls `body` with it.
    static func withSocketAddress<R>(_ address: String, _ port: UInt16,
                                     _ body: (UnsafePointer<sockaddr>, socklen_t, Int32) throws -> R) throws -> R {
        if address.contains(":") {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, address, &sa.sin6_addr) == 1 else { throw ShellError(message: "bad \(address)") }
            return try withUnsafePointer(to: &sa) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
                }
            }
        }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &sa.sin_addr) == 1 else { throw ShellError(message: "bad \(address)") }
        return try withUnsafePointer(to: &sa) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try body($0, socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
            }
        }
    }

    private static func setTimeout(_ fd: Int32, _ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Echoes datagrams until the client is done or `timeout` passes; returns how many it answered.
    private static func serve(address: String, port: UInt16, ready: DispatchSemaphore, stop: Stop,
                              timeout: Double) throws -> Int {
        var answered = 0
        try withSocketAddress(address, port) { sa, length, family in
            let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { ready.signal(); throw ShellError(message: "socket: \(errno)") }
            defer { close(fd) }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(4))
            guard bind(fd, sa, length) == 0 else {
                ready.signal()
                throw ShellError(message: "bind \(address):\(port): \(String(cString: strerror(errno)))")
            }
            setTimeout(fd, 0.2)
            ready.signal()
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 256)
            var peer = sockaddr_storage()
            while Date() < deadline, !stop.isSet {
                var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let n = withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, &buffer, buffer.count, 0, $0, &peerLength)
                    }
                }
                guard n > 0 else { continue }
                _ = withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, buffer, n, 0, $0, peerLength) }
                }
                answered += 1
            }
        }
        return answered
    }

    /// Sends up to three requests and returns true at the first echo.
    private static func ask(address: String, port: UInt16, timeout: Double) throws -> Bool {
        try withSocketAddress(address, port) { sa, length, family in
            let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { throw ShellError(message: "socket: \(errno)") }
            defer { close(fd) }
            setTimeout(fd, timeout)
            let message = Array("sdbk-probe".utf8)
            var buffer = [UInt8](repeating: 0, count: 256)
            for _ in 0..<3 {
                guard sendto(fd, message, message.count, 0, sa, length) == message.count else { continue }
                if recv(fd, &buffer, buffer.count, 0) > 0 { return true }
            }
            return false
        }
    }
}
