import Foundation
import Testing
@testable import slipsd

/// `SystemdNotifier` against a datagram socket standing in for systemd's `$NOTIFY_SOCKET`.
@Suite("Daemon systemd notifier")
struct DaemonSystemdNotifierTests {
    @Test func sendsStatesIncludingReloading() throws {
        let socket = try WatchdogNotifySocket(path: NSTemporaryDirectory() + "sdd-notify-\(getpid()).sock")
        defer { socket.stop() }
        let notifier = try #require(SystemdNotifier(environmentPath: socket.path))
        func receive(_ count: Int) -> String {
            _ = waitUntil(seconds: 2) { socket.messages.count >= count }
            return socket.messages.count >= count ? socket.messages[count - 1].message : ""
        }
        notifier.notify("READY=1\nSTATUS=inline on queue 0")
        #expect(receive(1) == "READY=1\nSTATUS=inline on queue 0")
        notifier.notifyReloading()
        let reloading = receive(2)
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="), "\(reloading)")
        let micros = Int64(reloading.split(separator: "=").last ?? "") ?? 0
        #expect(micros > 0)
        #expect(SystemdNotifier(environmentPath: nil) == nil)
        #expect(SystemdNotifier(environmentPath: "") == nil)
    }
}
