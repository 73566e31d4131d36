import NetCore
import Foundation
import Testing
@testable import Blocker

/// Feed blocklists against the real kernel: a gateway namespace `a` forwarding between peers `b` and `c`.
@Suite("FeedBlocklist in network namespaces", .serialized, .timeLimit(.minutes(3)))
struct FeedBlocklistKernelTests {
    static let config = NftablesBlocker.Configuration(tableName: "slipsd", feedBlocklists: true)

    /// Self-protection of the gateway namespace, with `resolver` as its only resolver.
    static func protection(resolver: String) throws -> (SelfProtection, String) {
        let path = NSTemporaryDirectory() + "slipsd-feed-resolv-\(getpid()).conf"
        try "nameserver \(resolver)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return (SelfProtection(sources: .init(resolvConfPath: path)), path)
    }

    @Test("a listed address is dropped forwarded in both directions, with timeouts and counters; lifted when it leaves the list")
    func listedDroppedThenLifted() async throws {
        let topology = try Topology(tag: "fb", withForwarding: true)
        defer { topology.destroy() }
        let c = try #require(topology.c)
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c))

        let report = try await inNamespace(topology.a) {
            try NftablesBlocker(configuration: Self.config).setUp()
            let feeds = try FeedBlocklist(protection: SelfProtection(sources: .init(resolvConfPath: nil)))
            return try feeds.update([FeedBlockSource(name: "test-feed", ranges: [CIDR(Topology.c4)!, CIDR("198.51.100.0/24")!]),
                                     FeedBlockSource(name: "v6-feed", ranges: [CIDR(Topology.c6)!])],
                                    timeout: .seconds(900))
        }
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.refused.isEmpty, "\(report.refused)")
        #expect(report.added == 3)
        // The single address goes to the hash set, the network to the interval set; both with the timeout.
        let hosts = try #require(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feedhost4"))
        let networks = try #require(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feed4"))
        #expect(hosts.map(\.value) == [Topology.c4])
        #expect(networks.count == 1, "\(networks.map(\.value))")
        for element in hosts + networks {
            #expect(element.timeout == 900 && (element.expires ?? 0) > 800, "\(element.value) \(String(describing: element.timeout))")
            #expect(element.comment == "test-feed")
        }
        #expect(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feedhost6")?.map(\.value) == [Topology.c6])

        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c) == false)
        #expect(try await UDPProbe.reachable(from: c, to: Topology.b4, in: topology.b) == false)
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c6, in: c) == false)
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB4, in: topology.a))   // b itself is not listed

        let inventory = try await inNamespace(topology.a) {
            try FeedBlocklist().inventory()
        }
        let host4 = try #require(inventory.sets.first { $0.set == "feedhost4" })
        #expect(host4.ranges == 1)
        #expect(host4.rangesPerFeed == ["test-feed": 1])
        #expect(host4.droppedPackets >= 2)
        #expect((host4.soonestExpiry ?? .zero) > .seconds(800))
        #expect(inventory.sets.first { $0.set == "feed4" }?.rangesPerFeed == ["test-feed": 1])
        #expect(inventory.sets.first { $0.set == "feed4" }?.droppedPackets == 0)
        #expect(inventory.sets.first { $0.set == "feedhost6" }?.rangesPerFeed == ["v6-feed": 1])

        // The address leaves the feed: the next update deletes only it and re-asserts the other range.
        let second = try await inNamespace(topology.a) {
            let feeds = try FeedBlocklist(protection: SelfProtection(sources: .init(resolvConfPath: nil)))
            _ = try feeds.update([FeedBlockSource(name: "test-feed", ranges: [CIDR(Topology.c4)!, CIDR("198.51.100.0/24")!])],
                                 timeout: .seconds(900))
            return try feeds.update([FeedBlockSource(name: "test-feed", ranges: [CIDR("198.51.100.0/24")!])],
                                    timeout: .seconds(1200))
        }
        #expect(second.removed == 1 && second.added == 0 && second.reasserted == 1, "\(second.summary)")
        #expect(second.failures.isEmpty, "\(second.failures)")
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c))
        #expect(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feedhost4")?.isEmpty == true)
        let after = try #require(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feed4"))
        #expect(after.count == 1)
        #expect(after.first?.timeout == 1200, "re-asserted with the new timeout")
    }

    @Test("entries covering the resolver, the gateway's own address or 0.0.0.0/8 are refused, one line each; the gateway still reaches its resolver")
    func protectedEntriesRefused() async throws {
        let topology = try Topology(tag: "fp", withForwarding: true)
        defer { topology.destroy() }
        let c = try #require(topology.c)
        let report = try await inNamespace(topology.a) {
            try NftablesBlocker(configuration: Self.config).setUp()
            let (protection, path) = try Self.protection(resolver: Topology.c4)
            defer { unlink(path) }
            let feeds = try FeedBlocklist(protection: protection)
            return try feeds.update([FeedBlockSource(name: "bogons", ranges: [
                CIDR(Topology.c4)!, CIDR("10.61.2.0/24")!, CIDR(Topology.aToB4)!, CIDR("0.0.0.0/8")!,
                CIDR("203.0.113.0/24")!,
            ])], timeout: .seconds(600))
        }
        #expect(report.refused.count == 4, "\(report.refused)")
        #expect(report.refused.contains { $0.contains("\(Topology.c4)/32 of feed bogons") && $0.contains("resolver") },
                "\(report.refused)")
        #expect(report.refused.contains { $0.contains("10.61.2.0/24") })
        #expect(report.refused.contains { $0.contains(Topology.aToB4) && $0.contains("interface") })
        #expect(report.refused.contains { $0.contains("0.0.0.0/8") && $0.contains("unspecified") })
        #expect(report.added == 1)
        let elements = try #require(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feed4"))
        #expect(elements.count == 1)
        #expect(try await UDPProbe.reachable(from: topology.a, to: Topology.c4, in: c))
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c))
    }

    @Test("a widened range and merged neighbours replace the old elements in place; a short timeout expires by itself")
    func changedRangesAndExpiry() async throws {
        let topology = try Topology(tag: "fc", withForwarding: true)
        defer { topology.destroy() }
        let c = try #require(topology.c)
        let reports = try await inNamespace(topology.a) {
            try NftablesBlocker(configuration: Self.config).setUp()
            let feeds = try FeedBlocklist(protection: SelfProtection(sources: .init(resolvConfPath: nil)))
            let first = try feeds.update([FeedBlockSource(name: "f", ranges: [CIDR("192.0.2.0/25")!, CIDR("198.51.100.0/24")!])],
                                         timeout: .seconds(600))
            let second = try feeds.update([FeedBlockSource(name: "f", ranges: [CIDR("192.0.2.128/25")!, CIDR("192.0.2.0/25")!,
                                                                              CIDR("198.51.100.0/23")!])],
                                          timeout: .seconds(600))
            return [first, second]
        }
        #expect(reports.allSatisfy { $0.failures.isEmpty }, "\(reports.map(\.failures))")
        #expect(reports[1].removed == 2 && reports[1].added == 2, "\(reports[1].summary)")
        let listed = try Shell.inNamespace(topology.a, ["nft", "list", "set", "inet", "slipsd", "feed4"]).stdout
        #expect(listed.contains("192.0.2.0/24") && listed.contains("198.51.100.0/23"), "\(listed)")
        #expect(!listed.contains("192.0.2.0/25"), "\(listed)")
        #expect(listed.contains("gc-interval 1m"), "feed sets are walked for expired elements once a minute: \(listed)")

        // A daemon that stops refreshing: its elements expire, and the traffic passes again.
        try await inNamespace(topology.a) {
            let feeds = try FeedBlocklist(protection: SelfProtection(sources: .init(resolvConfPath: nil)))
            _ = try feeds.update([FeedBlockSource(name: "short", ranges: [CIDR(Topology.c4)!])], timeout: .seconds(2))
        }
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c) == false)
        let deadline = ContinuousClock.now + .seconds(10)
        var gone = false
        while ContinuousClock.now < deadline, !gone {
            try await Task.sleep(for: .milliseconds(250))
            let now = try Shell.inNamespace(topology.a, ["nft", "list", "set", "inet", "slipsd", "feedhost4"]).stdout
            gone = !now.contains(Topology.c4)
        }
        #expect(gone, "the 2 s element did not expire within 10 s")
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c))
    }
}
