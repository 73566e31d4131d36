import Foundation
import Testing
@testable import slipsd

/// `SystemdNotifier` against a datagram socket standing in for systemd's `$NOTIFY_SOCKET`.
@Suite("Daemon systemd notifier")
struct DaemonSystemdNotifierTests {
    @Test func sendsStatesIncludingReloading() throws {
        let path = NSTemporaryDirectory() + "sdd-notify-\(getpid()).sock"
        unlink(path)
        defer { unlink(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes); raw[bytes.count] = 0 }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let notifier = try #require(SystemdNotifier(environmentPath: path))
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        }
        notifier.notify("READY=1\nSTATUS=inline on queue 0")
        #expect(receive() == "READY=1\nSTATUS=inline on queue 0")
        notifier.notifyReloading()
        let reloading = receive()
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="), "\(reloading)")
        let micros = Int64(reloading.split(separator: "=").last ?? "") ?? 0
        #expect(micros > 0)
        #expect(SystemdNotifier(environmentPath: nil) == nil)
        #expect(SystemdNotifier(environmentPath: "") == nil)
    }
}
