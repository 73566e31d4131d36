import Foundation
import NetCore
import Testing
@testable import Blocker

@Suite("SelfProtection follows address and route changes", .serialized, .timeLimit(.minutes(1)))
struct SelfProtectionWatcherTests {
    /// Polls `condition` every 20 ms for up to `seconds`.
    func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test("a default route and an address that appear after start-up are protected without a restart")
    func learnsLaterGateway() async throws {
        let topology = try Topology(tag: "sw")
        defer { topology.destroy() }
        let (protection, watcher) = try await inNamespace(topology.a) {
            let protection = SelfProtection(sources: .init(resolvConfPath: nil))
            return (protection, try SelfProtectionWatcher.start(protection, interval: .seconds(60)))
        }
        defer { watcher.stop() }
        let newAddress = IPAddress("10.61.1.77")!
        let gateway = IPAddress(Topology.b4)!
        #expect(protection.reasonIfProtected(newAddress) == nil)
        #expect(protection.reasonIfProtected(gateway) == nil)

        // As a DHCP client would: an address, then a default route through the peer.
        try Shell.must(["ip", "-n", topology.a, "addr", "add", "10.61.1.77/24", "dev", "sdbkswab"])
        try Shell.must(["ip", "-n", topology.a, "route", "add", "default", "via", Topology.b4])

        #expect(eventually(3) { protection.reasonIfProtected(gateway) == "is the default gateway (via sdbkswab)" })
        #expect(protection.reasonIfProtected(newAddress) == "is an address of interface sdbkswab")
        #expect(watcher.refreshes >= 1)
    }
}
