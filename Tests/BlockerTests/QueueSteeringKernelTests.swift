import NetCore
import Foundation
import Testing
@testable import Blocker

@Suite("QueueSteering in a network namespace", .serialized, .timeLimit(.minutes(3)))
struct QueueSteeringKernelTests {
    @Test("forwarded traffic goes through the NFQUEUE rule and passes with bypass while no process is bound")
    func bypassLetsTrafficPass() async throws {
        let topology = try Topology(tag: "qs", withForwarding: true)
        defer { topology.destroy() }
        let c = try #require(topology.c)
        let (path, steering) = try await inNamespace(topology.a) {
            let steering = try QueueSteering(configuration: .init(queues: 0...0))
            return (try steering.install(), steering)
        }
        print("[steering] path that worked on this kernel: \(path.rawValue)")
        let ruleset = try NftInspect.ruleset(namespace: topology.a)
        switch path {
        case .nftQueue:
            #expect(ruleset.contains("table inet slipsd_steer"), "\(ruleset)")
            #expect(ruleset.contains("queue"), "\(ruleset)")
        case .xtablesCompat:
            #expect(ruleset.contains("table ip slipsd_steer"), "\(ruleset)")
            #expect(ruleset.contains("table ip6 slipsd_steer"), "\(ruleset)")
            // nft 1.0.6 decodes the xt NFQUEUE target (via libxtables) as a queue statement.
            #expect(ruleset.contains("counter packets 0 bytes 0 queue num 0 bypass"), "\(ruleset)")
            #expect(ruleset.contains("hook forward priority filter"), "\(ruleset)")
        }

        // Nothing is bound to queue 0: with bypass, IPv4 and IPv6 still cross the gateway.
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c))
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c6, in: c))
        let families = path == .nftQueue ? ["inet"] : ["ip", "ip6"]
        for family in families {
            let packets = try NftInspect.counterPackets(namespace: topology.a, family: family,
                                                        table: "slipsd_steer", chain: "forward")
            #expect(packets >= 2, "family \(family): the steering rule saw \(packets) packets")
        }

        // Installing again replaces the tables (no duplicate rules).
        _ = try await inNamespace(topology.a) { try steering.install() }
        for family in families {
            let rules = try NftInspect.rules(namespace: topology.a, family: family, table: "slipsd_steer",
                                             chain: "forward")
            #expect(rules?.count == 1)
        }

        try await inNamespace(topology.a) { try steering.remove() }
        #expect(!(try NftInspect.ruleset(namespace: topology.a)).contains("slipsd_steer"))
        #expect(steering.installedPath == nil)
        // Removing twice is fine.
        try await inNamespace(topology.a) { try steering.remove() }
    }

    @Test("the compat rule is the one iptables-nft writes: -j NFQUEUE --queue-num N --queue-bypass")
    func compatRuleMatchesIptables() async throws {
        let topology = try Topology(tag: "qi")
        defer { topology.destroy() }
        // iptables-nft only shows its own tables and chains: use table filter, chain FORWARD/INPUT.
        let config = QueueSteering.Configuration(queues: 3...3, steerInput: true, tableName: "filter",
                                                 forwardChainName: "FORWARD", inputChainName: "INPUT",
                                                 forcedPath: .xtablesCompat)
        let path = try await inNamespace(topology.a) { try QueueSteering(configuration: config).install() }
        #expect(path == .xtablesCompat)
        let v4 = try Shell.inNamespace(topology.a, ["iptables-nft", "-S"])
        let v6 = try Shell.inNamespace(topology.a, ["ip6tables-nft", "-S"])
        #expect(v4.stdout.contains("-A FORWARD -j NFQUEUE --queue-num 3 --queue-bypass"), "\(v4.stdout)\(v4.stderr)")
        #expect(v4.stdout.contains("-A INPUT ! -i lo -j NFQUEUE --queue-num 3 --queue-bypass"), "\(v4.stdout)")
        #expect(v6.stdout.contains("-A FORWARD -j NFQUEUE --queue-num 3 --queue-bypass"), "\(v6.stdout)\(v6.stderr)")

        let balanced = QueueSteering.Configuration(queues: 2...5, tableName: "filter", forwardChainName: "FORWARD",
                                                   forcedPath: .xtablesCompat)
        _ = try await inNamespace(topology.a) { try QueueSteering(configuration: balanced).install() }
        let ranged = try Shell.inNamespace(topology.a, ["iptables-nft", "-S", "FORWARD"])
        #expect(ranged.stdout.contains("-A FORWARD -j NFQUEUE --queue-balance 2:5 --queue-bypass"), "\(ranged.stdout)")
    }

    @Test("the native queue expression is tried first and reported honestly")
    func nativeQueuePath() async throws {
        let topology = try Topology(tag: "qn")
        defer { topology.destroy() }
        let config = QueueSteering.Configuration(queues: 1...1, forcedPath: .nftQueue)
        let result: Result<QueueSteering.Path, BlockerError> = try await inNamespace(topology.a) {
            do { return .success(try QueueSteering(configuration: config).install()) } catch let error as BlockerError {
                return .failure(error)
            }
        }
        switch result {
        case .success(let path):
            #expect(path == .nftQueue)
            #expect(try NftInspect.ruleset(namespace: topology.a).contains("queue"))
        case .failure(let error):
            // This kernel lacks nft_queue: the rule message is the one named, with ENOENT.
            print("[steering] nft queue expression unavailable: \(error)")
            #expect(error.isNotFound, "\(error)")
            #expect(error.operation.contains("adding rule"), "\(error)")
            #expect(!(try NftInspect.ruleset(namespace: topology.a)).contains("slipsd_steer"))
        }
    }
}
