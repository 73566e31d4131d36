import NetCore
import Foundation
import Testing
@testable import Blocker

/// The per-prefix-length feed sets against the real kernel (gateway namespace `a` between peers `b` and `c`).
@Suite("Feed per-prefix-length sets in network namespaces", .serialized, .timeLimit(.minutes(3)))
struct FeedPrefixSetKernelTests {
    static let config = NftablesBlocker.Configuration(tableName: "slipsd", feedBlocklists: true)
    /// c's second address, outside 10.61.2.0/28 (the neighbour that must keep passing).
    static let neighbour4 = "10.61.2.100"

    static func sets(_ namespace: String) throws -> String {
        try Shell.inNamespace(namespace, ["nft", "list", "sets", "inet"]).stdout
    }

    static func chains(_ namespace: String) throws -> String {
        try Shell.inNamespace(namespace, ["nft", "list", "table", "inet", "slipsd"]).stdout
    }

    @Test("a /28 in its per-length set drops its addresses forwarded both ways, not a neighbour; counted in the inventory")
    func prefixSetDrops() async throws {
        let topology = try Topology(tag: "fs1", withForwarding: true)
        defer { topology.destroy() }
        let c = try #require(topology.c)
        _ = try Shell.must(["ip", "-n", c, "addr", "add", "\(Self.neighbour4)/24", "dev", "sdbkfs1ca"])
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c))

        let list = [FeedBlockSource(name: "nets", ranges: [CIDR("10.61.2.0/28")!, CIDR("198.51.100.16/28")!,
                                                           CIDR("203.0.113.0/24")!])]
        let (report, feeds) = try await inNamespace(topology.a) {
            try NftablesBlocker(configuration: Self.config).setUp()
            let feeds = try FeedBlocklist(protection: nil, prefixSetThreshold: 2)   // its socket stays in `a`
            return (try feeds.update(list, timeout: .seconds(900)), feeds)
        }
        #expect(report.failures.isEmpty, "\(report.failures)")
        let p28 = try #require(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feedp28_4"))
        #expect(Set(p28.map(\.value)) == ["10.61.2.0", "198.51.100.16"], "\(p28.map(\.value))")
        #expect(p28.allSatisfy { $0.timeout == 900 && $0.comment == "nets" })
        // The lone /24 stays in the interval set.
        #expect(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feed4")?.count == 1)
        let ruleset = try Self.chains(topology.a)
        #expect(ruleset.components(separatedBy: "@feedp28_4").count - 1 == 3, "prerouting, forward, output: \(ruleset)")

        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c) == false)
        #expect(try await UDPProbe.reachable(from: c, to: Topology.b4, in: topology.b) == false)
        #expect(try await UDPProbe.reachable(from: topology.b, to: Self.neighbour4, in: c))

        let inventory = try await inNamespace(topology.a) { try FeedBlocklist().inventory() }
        let summary = try #require(inventory.sets.first { $0.set == "feedp28_4" })
        #expect(summary.ranges == 2 && summary.rangesPerFeed == ["nets": 2])
        #expect(summary.droppedPackets >= 2)

        // Rules lost to a set-up that raced the update (chains flushed, the set kept): the next refresh puts
        // them back.
        for chain in ["prerouting", "forward", "output"] {
            _ = try Shell.must(["ip", "netns", "exec", topology.a, "nft", "flush", "chain", "inet", "slipsd", chain])
        }
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c))
        let refreshed = try feeds.update(list, timeout: .seconds(900))
        #expect(refreshed.failures.isEmpty, "\(refreshed.failures)")
        #expect(try Self.chains(topology.a).components(separatedBy: "@feedp28_4").count - 1 == 3)
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c) == false)
    }

    @Test("a refresh that moves entries between the interval set and a per-length set drops throughout")
    func movesKeepDropping() async throws {
        let topology = try Topology(tag: "fs2", withForwarding: true)
        defer { topology.destroy() }
        let c = try #require(topology.c)
        _ = try Shell.must(["ip", "netns", "exec", c, "nft", "add table inet count; add chain inet count in { type filter hook input priority 0; }; add rule inet count in ip protocol icmp counter"])
        let busy = [CIDR("10.61.2.0/28")!, CIDR("198.51.100.16/28")!, CIDR("198.51.100.64/28")!]
        let rare = [CIDR("10.61.2.0/28")!, CIDR("198.51.100.16/28")!]
        let feeds = try await inNamespace(topology.a) {
            try NftablesBlocker(configuration: Self.config).setUp()
            let feeds = try FeedBlocklist(protection: nil, prefixSetThreshold: 3)   // its socket stays in `a`
            _ = try feeds.update([FeedBlockSource(name: "f", ranges: rare)], timeout: .seconds(900))
            return feeds
        }
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c) == false)
        // Pings from b to c as fast as ping sends, during the refreshes.
        let ping = Process()
        ping.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        ping.arguments = ["netns", "exec", topology.b, "ping", "-q", "-i", "0.001", "-w", "6", Topology.c4]
        let output = Pipe()
        ping.standardOutput = output
        ping.standardError = FileHandle.nullDevice
        try ping.run()
        var reports: [FeedUpdateReport] = []
        let end = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < end {
            reports.append(try feeds.update([FeedBlockSource(name: "f", ranges: reports.count % 2 == 0 ? busy : rare)],
                                            timeout: .seconds(900)))
        }
        let summary = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ping.waitUntilExit()
        let transmitted = summary.split(separator: "\n").compactMap { line -> Int? in
            guard let range = line.range(of: " packets transmitted") else { return nil }
            return Int(line[..<range.lowerBound])
        }.first ?? 0
        #expect(transmitted > 300, "the pings (about 100/s without replies) ran during the refreshes: \(summary)")
        #expect(reports.count > 4)
        #expect(reports.contains { $0.added > 0 && $0.removed > 0 }, "entries moved")
        #expect(reports.allSatisfy { $0.failures.isEmpty }, "\(reports.flatMap(\.failures).prefix(3))")
        let arrived = try NftInspect.counterPackets(namespace: c, family: "inet", table: "count", chain: "in")
        #expect(arrived == 0, "\(arrived) echo requests reached c during the refreshes")
        let dropped = try await inNamespace(topology.a) { try FeedBlocklist().inventory() }
            .sets.filter { $0.set == "feed4" || $0.set.hasPrefix("feedp") }.reduce(0) { $0 + $1.droppedPackets }
        // Counters of a deleted per-length set's rules go with them: what is left is a lower bound.
        #expect(dropped > 0, "the gateway's feed rules dropped the pings (\(dropped) still counted)")
    }

    @Test("a set-up keeps the per-length rules; a shape change and a restart delete unneeded sets; teardown removes all")
    func lifecycle() async throws {
        let topology = try Topology(tag: "fs3", withForwarding: true)
        defer { topology.destroy() }
        let c = try #require(topology.c)
        let nets = [CIDR("10.61.2.0/28")!, CIDR("198.51.100.16/28")!, CIDR("2001:db8::/48")!, CIDR("2001:db8:5::/48")!]
        let names = try await inNamespace(topology.a) {
            try NftablesBlocker(configuration: Self.config).setUp()
            let feeds = try FeedBlocklist(protection: nil, prefixSetThreshold: 2)
            _ = try feeds.update([FeedBlockSource(name: "f", ranges: nets)], timeout: .seconds(900))
            return feeds.prefixSetNames
        }
        #expect(names == ["feedp28_4", "feedp48_6"])
        #expect(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feedp48_6")?.count == 2)
        // A second set-up (as `slipsd --block` runs) flushes the chains: the per-length rules come back with it.
        try await inNamespace(topology.a) { try NftablesBlocker(configuration: Self.config).setUp() }
        let ruleset = try Self.chains(topology.a)
        #expect(ruleset.components(separatedBy: "@feedp28_4").count - 1 == 3, "\(ruleset)")
        #expect(ruleset.components(separatedBy: "@feedp48_6").count - 1 == 3, "\(ruleset)")
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c) == false)

        // The v4 /28s fall below the threshold: their set and rules go, the entries are in feed4 and still dropped.
        let shrunk = try await inNamespace(topology.a) {
            let feeds = try FeedBlocklist(protection: nil, prefixSetThreshold: 2)   // a restart: earlier sets found
            let report = try feeds.update([FeedBlockSource(name: "f", ranges: [nets[0]] + nets[2...])], timeout: .seconds(900))
            return (report, feeds.prefixSetNames)
        }
        #expect(shrunk.0.failures.isEmpty, "\(shrunk.0.failures)")
        #expect(shrunk.1 == ["feedp48_6"])
        #expect(!(try Self.sets(topology.a)).contains("feedp28_4"))
        #expect(!(try Self.chains(topology.a)).contains("feedp28_4"))
        #expect(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feed4")?.count == 1)
        #expect(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "feedp48_6")?.count == 2)
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c) == false)

        // An empty list deletes the remaining per-length set; teardown removes the table with everything.
        let emptied = try await inNamespace(topology.a) {
            let feeds = try FeedBlocklist(protection: nil, prefixSetThreshold: 2)
            _ = try feeds.update([FeedBlockSource(name: "f", ranges: nets)], timeout: .seconds(900))
            _ = try feeds.update([], timeout: .seconds(900))
            return feeds.prefixSetNames
        }
        #expect(emptied.isEmpty)
        #expect(!(try Self.sets(topology.a)).contains("feedp"))
        let tornDown = try await inNamespace(topology.a) {
            _ = try FeedBlocklist(protection: nil, prefixSetThreshold: 2)
                .update([FeedBlockSource(name: "f", ranges: nets)], timeout: .seconds(900))
            return try NftablesBlocker(configuration: Self.config).tearDown()
        }
        #expect(tornDown)
        #expect(!(try Self.sets(topology.a)).contains("feedp"))
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c))
    }
}
