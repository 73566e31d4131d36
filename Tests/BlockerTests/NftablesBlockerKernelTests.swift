import NetCore
import Foundation
import Testing
@testable import Blocker

/// The blocker against the real kernel, inside network namespaces created per test.
@Suite("NftablesBlocker in a network namespace", .serialized, .timeLimit(.minutes(3)))
struct NftablesBlockerKernelTests {
    static func entry(_ address: String, seconds: Int = 600, reason: String = "test reason",
                      alertID: String = "alert-1") -> BlockEntry {
        BlockEntry(address: IPAddress(address)!, timeout: .seconds(seconds), reason: reason, alertID: alertID)
    }

    @Test("setUp twice is idempotent and a second blocker adopts existing elements")
    func setUpIsIdempotentAndAdopts() async throws {
        let topology = try Topology(tag: "su")
        defer { topology.destroy() }
        let config = NftablesBlocker.Configuration(tableName: "slipsd_t1")
        let (first, second, outcome) = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker(configuration: config)
            let first = try blocker.setUp()
            let second = try blocker.setUp()
            let outcome = try blocker.block([Self.entry("192.0.2.7", reason: "kept across restarts")])
            return (first, second, outcome)
        }
        #expect(first.adopted == false)
        #expect(second.adopted == true)
        #expect(outcome.map(\.status) == [.blocked])

        // A "restarted daemon": a new blocker object sets up again; the element must survive.
        let (third, listed) = try await inNamespace(topology.a) {
            let restarted = try NftablesBlocker(configuration: config)
            return (try restarted.setUp(), try restarted.list())
        }
        #expect(third.adopted == true)
        #expect(listed.map(\.address) == [IPAddress("192.0.2.7")!])
        #expect(listed.first?.reason == "kept across restarts")

        // The rules were replaced, not duplicated: prerouting has the IPv4-mapped drop, two reverse-path rules and
        // the two source drops; forward the two destination drops and two new-connection drops; input the two
        // new-connection drops; output the two destination drops.
        for (chain, count) in [("prerouting", 5), ("forward", 4), ("input", 2), ("output", 2)] {
            let rules = try NftInspect.rules(namespace: topology.a, family: "inet", table: "slipsd_t1", chain: chain)
            #expect(rules?.count == count, "chain \(chain)")
        }
        let ruleset = try NftInspect.ruleset(namespace: topology.a)
        #expect(ruleset.contains("ip saddr @blocked4 counter packets 0 bytes 0 drop"), "\(ruleset)")
        #expect(ruleset.contains("ip6 saddr @blocked6 counter packets 0 bytes 0 drop"), "\(ruleset)")
        #expect(ruleset.contains("ip daddr @blocked4"), "\(ruleset)")
        #expect(ruleset.contains("hook prerouting priority raw"), "\(ruleset)")
        #expect(ruleset.contains("hook forward priority filter - 10"), "\(ruleset)")
        #expect(ruleset.contains("hook output priority filter - 10"), "\(ruleset)")
        #expect(ruleset.contains("ip6 saddr ::ffff:0.0.0.0/96 counter packets 0 bytes 0 drop"), "\(ruleset)")
        #expect(ruleset.contains("ip saddr != 0.0.0.0 fib saddr . iif oif 0 counter"), "\(ruleset)")
        #expect(ruleset.contains("ct state new ip saddr @blocked_new4 counter"), "\(ruleset)")
        #expect(ruleset.contains("ct state new ip6 saddr @blocked_new6 counter"), "\(ruleset)")
        // Every set is walked for expired elements once a minute, not at the kernel's default of every second.
        #expect(ruleset.components(separatedBy: "gc-interval 1m").count - 1 == 4, "\(ruleset)")

        let (removed, removedAgain) = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker(configuration: config)
            return (try blocker.tearDown(), try blocker.tearDown())
        }
        #expect(removed == true)
        #expect(removedAgain == false)
        #expect(!(try NftInspect.ruleset(namespace: topology.a)).contains("slipsd_t1"))
    }

    @Test("block drops a peer's traffic in both directions; unblock lets it through again")
    func blockDropsAndUnblockRestores() async throws {
        let topology = try Topology(tag: "bd")
        defer { topology.destroy() }
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB4, in: topology.a))

        let outcomes = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker()
            try blocker.setUp()
            return try blocker.block([Self.entry(Topology.b4, seconds: 300, reason: "HORIZONTAL_PORT_SCAN",
                                                 alertID: "5b2e7c1e-0000-4000-8000-000000000001")])
        }
        #expect(outcomes.map(\.status) == [.blocked])
        #expect(outcomes.first?.latency != nil)

        let elements = try #require(try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "blocked4"))
        #expect(elements.count == 1)
        #expect(elements.first?.value == Topology.b4)
        #expect(elements.first?.timeout == 300)
        #expect((elements.first?.expires ?? 0) > 290)
        #expect(elements.first?.comment == "HORIZONTAL_PORT_SCAN")

        // b -> a is dropped in prerouting; a -> b (replies and new traffic) in output.
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB4, in: topology.a) == false)
        #expect(try await UDPProbe.reachable(from: topology.a, to: Topology.b4, in: topology.b) == false)
        let dropped = try NftInspect.counterPackets(namespace: topology.a, family: "inet", table: "slipsd",
                                                    chain: "prerouting")
        #expect(dropped >= 1)

        let (removed, again) = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker()
            return (try blocker.unblock(IPAddress(Topology.b4)!), try blocker.unblock(IPAddress(Topology.b4)!))
        }
        #expect(removed == true)
        #expect(again == false)
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB4, in: topology.a))
    }

    @Test("IPv6 block drops the peer's IPv6 traffic")
    func ipv6Block() async throws {
        let topology = try Topology(tag: "v6")
        defer { topology.destroy() }
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB6, in: topology.a))
        let outcomes = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker()
            try blocker.setUp()
            return try blocker.block([Self.entry(Topology.b6, reason: "ipv6 test")])
        }
        #expect(outcomes.map(\.status) == [.blocked])
        let elements = try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "blocked6")
        #expect(elements?.map(\.value) == [Topology.b6])
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB6, in: topology.a) == false)
        // IPv4 between the same peers still works: only the IPv6 address is blocked.
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.aToB4, in: topology.a))
    }

    @Test("the forward chain drops traffic routed to a blocked host")
    func forwardedTrafficToBlockedHost() async throws {
        let topology = try Topology(tag: "fw", withForwarding: true)
        defer { topology.destroy() }
        let c = try #require(topology.c)
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c))
        _ = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker()
            try blocker.setUp()
            return try blocker.block([Self.entry(Topology.c4)])
        }
        #expect(try await UDPProbe.reachable(from: topology.b, to: Topology.c4, in: c) == false)
        let forwardDrops = try NftInspect.counterPackets(namespace: topology.a, family: "inet", table: "slipsd",
                                                         chain: "forward")
        #expect(forwardDrops >= 1)
    }

    @Test("unblocking an address that is not blocked returns false")
    func unblockUnknown() async throws {
        let topology = try Topology(tag: "ub")
        defer { topology.destroy() }
        let results = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker()
            let beforeSetUp = try blocker.unblock(IPAddress("198.51.100.1")!)
            try blocker.setUp()
            return [beforeSetUp, try blocker.unblock(IPAddress("198.51.100.1")!),
                    try blocker.unblock(IPAddress("2001:db8::1")!)]
        }
        #expect(results == [false, false, false])
    }

    @Test("an element expires in the kernel after its timeout")
    func timeoutExpiry() async throws {
        let topology = try Topology(tag: "to")
        defer { topology.destroy() }
        let started = ContinuousClock.now
        let blocker = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker()
            try blocker.setUp()
            _ = try blocker.block([Self.entry("203.0.113.9", seconds: 2)])
            return blocker
        }
        // The socket stays in the namespace it was opened in, whatever thread uses it later.
        let present = try blocker.list().map(\.address)
        #expect(present == [IPAddress("203.0.113.9")!])
        var goneAfter: Duration?
        while ContinuousClock.now - started < .seconds(6) {
            try await Task.sleep(for: .milliseconds(200))
            if try blocker.list().isEmpty {
                goneAfter = ContinuousClock.now - started
                break
            }
        }
        let gone = try #require(goneAfter, "element still present after 6 s")
        #expect(gone >= .milliseconds(1_900))
        #expect(gone <= .seconds(4))
    }

    @Test("list returns reason, alert id, timeout and remaining time; long reasons are cut")
    func listDetails() async throws {
        let topology = try Topology(tag: "ls")
        defer { topology.destroy() }
        let longReason = String(repeating: "é", count: 300)
        let listed = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker()
            try blocker.setUp()
            _ = try blocker.block([
                Self.entry("198.51.100.20", seconds: 3600, reason: "PASSWORD_GUESSING ssh", alertID: "alert-20"),
                Self.entry("2001:db8::20", seconds: 120, reason: longReason, alertID: "alert-v6"),
            ])
            return try blocker.list()
        }
        #expect(listed.count == 2)
        let v4 = try #require(listed.first { $0.address == IPAddress("198.51.100.20")! })
        #expect(v4.reason == "PASSWORD_GUESSING ssh")
        #expect(v4.alertID == "alert-20")
        #expect(v4.timeout == .seconds(3600))
        let remaining = try #require(v4.remaining)
        #expect(remaining > .seconds(3590) && remaining <= .seconds(3600))
        let v6 = try #require(listed.first { $0.address == IPAddress("2001:db8::20")! })
        #expect(v6.alertID == "alert-v6")
        let cut = try #require(v6.reason)
        #expect(cut.allSatisfy { $0 == "é" })
        #expect(cut.utf8.count <= 200 && cut.utf8.count > 100)
        #expect(v6.timeout == .seconds(120))
    }

    @Test("re-blocking refreshes the timeout; protected addresses are refused")
    func reblockAndProtection() async throws {
        let topology = try Topology(tag: "rb")
        defer { topology.destroy() }
        let (outcomes, listed) = try await inNamespace(topology.a) {
            let protection = SelfProtection(allowlist: [CIDR("10.99.0.0/16")!],
                                            sources: .init(resolvConfPath: nil, ipv4RoutesPath: nil,
                                                           ipv6RoutesPath: nil, interfaces: true))
            let blocker = try NftablesBlocker(protection: protection)
            try blocker.setUp()
            _ = try blocker.block([Self.entry("198.51.100.30", seconds: 100, reason: "first")])
            let outcomes = try blocker.block([
                Self.entry("198.51.100.30", seconds: 500, reason: "duplicate, superseded by the next entry"),
                Self.entry("198.51.100.30", seconds: 1000, reason: "second"),
                Self.entry(Topology.aToB4),          // an interface address of the namespace
                Self.entry("10.99.3.4"),             // allowlisted
                Self.entry("127.0.0.2"),             // loopback range, not on lo
                BlockEntry(address: IPAddress("198.51.100.31")!, timeout: .zero, reason: "", alertID: ""),
            ])
            return (outcomes, try blocker.list())
        }
        #expect(outcomes[0].status == .blocked)
        #expect(outcomes[1].status == .blocked)
        guard case .refused(let why1) = outcomes[2].status, case .refused(let why2) = outcomes[3].status,
              case .refused(let why3) = outcomes[4].status, case .refused = outcomes[5].status else {
            Issue.record("expected refusals, got \(outcomes.map(\.status))")
            return
        }
        #expect(why1.contains("is an address of interface sdbkrbab"))
        #expect(why2.contains("is in allowlist 10.99.0.0/16"))
        #expect(why3.contains("loopback"))
        #expect(listed.map(\.address) == [IPAddress("198.51.100.30")!])
        #expect(listed.first?.timeout == .seconds(1000))
        #expect((listed.first?.remaining ?? .zero) > .seconds(990))
        // The element keeps the reason of the block that created it.
        #expect(listed.first?.reason == "first")
    }

    @Test("10,000 IPv4 and 5,000 IPv6 elements in one block call")
    func bulkBlock() async throws {
        let topology = try Topology(tag: "bk")
        defer { topology.destroy() }
        var entries: [BlockEntry] = []
        for i in 0..<10_000 {
            let address = IPAddress(ipv4: 0x0A80_0000 | UInt32(i))   // 10.128.0.0 + i
            entries.append(BlockEntry(address: address, timeout: .seconds(600), reason: "bulk \(i)",
                                      alertID: "bulk-\(i)"))
        }
        for i in 0..<5_000 {
            let address = IPAddress(high: 0x2001_0db8_0bad_0000, low: UInt64(i) + 1)
            entries.append(BlockEntry(address: address, timeout: .seconds(600), reason: "bulk6 \(i)",
                                      alertID: "bulk6-\(i)"))
        }
        let batch = entries
        let plain = (0..<10_000).map { i in
            BlockEntry(address: IPAddress(ipv4: 0x0A90_0000 | UInt32(i)), timeout: .seconds(600), reason: "",
                       alertID: "")
        }
        let (single, timing, plainTiming, outcomes, listed) = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker()
            try blocker.setUp()
            _ = try blocker.block([Self.entry("198.51.100.77")])
            let single = blocker.lastBlockTiming
            let outcomes = try blocker.block(batch)
            let timing = blocker.lastBlockTiming
            _ = try blocker.block(plain)
            return (single, timing, blocker.lastBlockTiming, outcomes, try blocker.list())
        }
        #expect(outcomes.count == 15_000)
        #expect(outcomes.allSatisfy { $0.isBlocked })
        #expect(listed.count == 25_001)
        #expect(listed.filter { !$0.address.isIPv4 }.count == 5_000)
        #expect(listed.first { $0.address == IPAddress("10.128.39.15")! }?.alertID == "bulk-9999")
        let kernelCount = try NftInspect.elements(namespace: topology.a, table: "slipsd", set: "blocked4")?.count
        #expect(kernelCount == 20_001)
        let t = try #require(timing)
        #expect(t.elementsSent == 15_000)
        #expect(t.messages >= 15_000 / 2_000)
        let p = try #require(plainTiming)
        #expect(p.messages == 5)
        print("[blocker] 1 element: \(single.map { "\($0.duration) (commit \($0.commitDuration))" } ?? "?")")
        print("[blocker] 15,000 elements (10k IPv4 + 5k IPv6, with userdata): \(t.duration) "
              + "(commit \(t.commitDuration)), \(t.messages) messages, \(t.batches) batch(es)")
        print("[blocker] 10,000 IPv4 without userdata: \(p.duration) (commit \(p.commitDuration)), "
              + "\(p.messages) messages, \(p.batches) batch(es)")
    }

    @Test("a transaction larger than the send buffer is split into several batches")
    func splitAcrossBatches() async throws {
        let topology = try Topology(tag: "sb")
        defer { topology.destroy() }
        let entries = (0..<6_000).map { i in
            BlockEntry(address: IPAddress(ipv4: 0x0AA0_0000 | UInt32(i)), timeout: .seconds(600),
                       reason: "split \(i)", alertID: "split-\(i)")
        }
        let (outcomes, timing, count) = try await inNamespace(topology.a) {
            let blocker = try NftablesBlocker(configuration: .init(sendBufferBytes: 32 * 1024))
            try blocker.setUp()
            let outcomes = try blocker.block(entries)
            return (outcomes, blocker.lastBlockTiming, try blocker.list().count)
        }
        #expect(outcomes.allSatisfy { $0.isBlocked })
        #expect(count == 6_000)
        #expect((timing?.batches ?? 0) > 1, "\(String(describing: timing))")
    }

    @Test("kernel errors name the message that failed")
    func errorsNameTheMessage() async throws {
        let topology = try Topology(tag: "er")
        defer { topology.destroy() }
        // No table yet: the element message is rejected with ENOENT and block throws.
        let blockError = try await inNamespace(topology.a) { () -> BlockerError? in
            let blocker = try NftablesBlocker()
            do { _ = try blocker.block([Self.entry("198.51.100.5")]) } catch let error as BlockerError {
                return error
            }
            return nil
        }
        let error = try #require(blockError)
        #expect(error.isNotFound, "\(error)")
        #expect(error.operation == "adding 1 element(s) to set inet slipsd blocked4", "\(error)")

        // A set of the same name but another type: setUp fails on that set, atomically (no chains created).
        try Shell.must(["ip", "netns", "exec", topology.a, "nft", "add table inet slipsd; "
                        + "add set inet slipsd blocked4 { type ipv6_addr; }"])
        let setUpError = try await inNamespace(topology.a) { () -> BlockerError? in
            do { try NftablesBlocker().setUp() } catch let error as BlockerError { return error }
            return nil
        }
        let mismatch = try #require(setUpError)
        #expect(mismatch.operation == "creating set inet slipsd blocked4", "\(mismatch)")
        #expect(mismatch.errno == EEXIST, "\(mismatch)")
        #expect(mismatch.reason.contains("delete table inet slipsd"), "\(mismatch)")
        #expect(try NftInspect.rules(namespace: topology.a, family: "inet", table: "slipsd", chain: "prerouting") == nil)
    }
}
