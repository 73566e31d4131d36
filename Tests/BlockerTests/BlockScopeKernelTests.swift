import Foundation
import NetCore
import Testing
@testable import Blocker

/// What the blocker's table stops besides full blocks: connections a host originates (the scope for alerts
/// whose evidence is not verified), sources failing the reverse-path check, and IPv4-mapped IPv6 sources.
@Suite("Block scopes and source checks in a network namespace", .serialized, .timeLimit(.minutes(2)))
struct BlockScopeKernelTests {
    @Test("a new-connections block stops what the host opens and keeps what others open to it")
    func newConnectionsScope() async throws {
        let topology = try Topology(tag: "nc")
        defer { topology.destroy() }
        let outcomes = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker()
            try blocker.setUp()
            return try blocker.block([BlockEntry(address: IPAddress(Topology.b4)!, timeout: .seconds(300),
                                                 reason: "HORIZONTAL_PORT_SCAN", alertID: "a-1",
                                                 scope: .newConnections)])
        }
        #expect(outcomes.map(\.status) == [.blocked])
        let elements = try #require(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "blocked_new4"))
        #expect(elements.map(\.value) == [Topology.b4])
        #expect(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "blocked4")?.isEmpty ?? true)

        // b opens a connection to a: dropped. a opens one to b: b's answers pass.
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB4, in: topology.a) == false)
        #expect(try await UDPProbe.reachable(from: topology.a, to: Topology.b4, in: topology.b, port: 47_002))
        #expect(try NftInspect.counterPackets(namespace: topology.a, family: "inet", table: "slipsd", chain: "input") >= 1)

        let listed = try await inNamespace(topology.a) { try NftablesBlocker().list() }
        #expect(listed.map(\.scope) == [.newConnections])
        let removed = try await inNamespace(topology.a) { try NftablesBlocker().unblock(IPAddress(Topology.b4)!) }
        #expect(removed)
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB4, in: topology.a, port: 47_003))
    }

    @Test("a source that does not route back through its arrival interface is dropped before anything sees it")
    func reversePathCheck() async throws {
        let topology = try Topology(tag: "rp", withForwarding: true)
        defer { topology.destroy() }
        try await inNamespace(topology.a) { try NftablesBlocker().setUp() }
        // b claims an address of c's subnet: a routes 10.61.2.0/24 through c's link, so it fails the check.
        try Shell.must(["ip", "-n", topology.b, "addr", "add", "10.61.2.99/32", "dev", "sdbkrpba"])
        for _ in 0..<3 {
            _ = try? Shell.inNamespace(topology.b, ["sh", "-c",
                "echo spoofed | timeout 1 nc -u -w0 -s 10.61.2.99 \(Topology.aToB4) 47010"])
        }
        let rules = try #require(try NftInspect.rules(namespace: topology.a, family: "inet", table: "slipsd",
                                                      chain: "prerouting"))
        let fibDrops = rules.filter { "\($0)".contains("fib") }.compactMap { expressions -> Int? in
            for case let expression as [String: Any] in expressions {
                if let counter = expression["counter"] as? [String: Any] { return counter["packets"] as? Int }
            }
            return nil
        }.reduce(0, +)
        #expect(fibDrops >= 1)
        // b's own address still passes.
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB4, in: topology.a, port: 47_011))
    }

    @Test("with blocking.reverse_path_check off the rule is not installed")
    func reversePathCheckOff() async throws {
        let topology = try Topology(tag: "ro")
        defer { topology.destroy() }
        try await inNamespace(topology.a) {
            try NftablesBlocker(configuration: .init(reversePathCheck: false)).setUp()
        }
        let ruleset = try NftInspect.ruleset(namespace: topology.a)
        #expect(!ruleset.contains("fib"))
        #expect(ruleset.contains("ip6 saddr ::ffff:0.0.0.0/96"))
    }
}
