import Foundation
import NetCore
import Testing
@testable import Blocker

/// `blocking.protect_connected_subnets`: the on-link prefixes of the gateway's interfaces.
@Suite("SelfProtection of connected subnets")
struct SelfProtectionConnectedSubnetParserTests {
    @Test("on-link routes from /proc/net/route text: no gateway, not rejected, not lo, not the whole space")
    func ipv4OnLink() {
        let text = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
        eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
        ppp0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0
        eth1\t0000000A\t00000000\t0201\t0\t0\t0\t000000FF\t0\t0\t0
        lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0
        eth1\t0010A8C0\t00000000\t0001\t0\t0\t0\t00F0FFFF\t0\t0\t0
        """
        #expect(RouteTable.ipv4OnLink(text) == [
            RouteTable.OnLink(range: CIDR("192.0.2.0/24")!, interface: "eth0"),
            RouteTable.OnLink(range: CIDR("192.168.16.0/20")!, interface: "eth1"),
        ])
    }

    @Test("on-link routes from /proc/net/ipv6_route text: local, multicast, gateway and lo routes left out")
    func ipv6OnLink() {
        let text = """
        fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
        fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
        00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
        fd000000000000000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001     eth0
        ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0
        00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
        """
        #expect(RouteTable.ipv6OnLink(text) == [
            RouteTable.OnLink(range: CIDR("fd00::/64")!, interface: "eth0"),
            RouteTable.OnLink(range: CIDR("fe80::/64")!, interface: "eth0"),
        ])
    }
}

@Suite("SelfProtection of connected subnets in a namespace", .serialized, .timeLimit(.minutes(1)))
struct SelfProtectionConnectedSubnetNamespaceTests {
    /// The reasons self-protection gives for `probes` in namespace `a` of `topology`.
    func reasons(_ topology: Topology, connected: Bool, _ probes: [String]) async throws -> [String: String] {
        try await inNamespace(topology.a) {
            let protection = SelfProtection(sources: .init(resolvConfPath: nil, connectedSubnets: connected))
            var reasons: [String: String] = [:]
            for probe in probes { reasons[probe] = protection.reasonIfProtected(IPAddress(probe)!) ?? "-" }
            return reasons
        }
    }

    @Test("switched on, a host inside a connected /24 (and an on-link route) is protected, one outside is not; off, neither")
    func insideProtectedOutsideNot() async throws {
        let topology = try Topology(tag: "psc")
        defer { topology.destroy() }
        let device = "sdbkpscab"
        // An on-link route without an address on it, as for a second subnet on the same wire.
        try Shell.must(["ip", "-n", topology.a, "route", "add", "10.62.0.0/16", "dev", device, "scope", "link"])
        let probes = ["10.61.1.200", "fd61:1::200", "10.62.3.4", "10.61.2.200", "198.51.100.1", Topology.b4]

        let on = try await reasons(topology, connected: true, probes)
        #expect(on["10.61.1.200"]?.hasPrefix("is on the directly connected subnet 10.61.1.0/24 (\(device))") == true, "\(on)")
        #expect(on["fd61:1::200"]?.hasPrefix("is on the directly connected subnet fd61:1::/64 (\(device))") == true, "\(on)")
        #expect(on["10.62.3.4"] == "is on the directly connected subnet 10.62.0.0/16 (\(device))", "\(on)")
        #expect(on["10.61.2.200"] == "-", "outside every connected subnet: \(on)")
        #expect(on["198.51.100.1"] == "-", "\(on)")

        let off = try await reasons(topology, connected: false, probes)
        for probe in probes where probe != Topology.b4 { #expect(off[probe] == "-", "\(probe): \(off)") }
    }

    @Test("a subnet added later is protected after the watcher's refresh")
    func followsNewSubnet() async throws {
        let topology = try Topology(tag: "psw")
        defer { topology.destroy() }
        let (protection, watcher) = try await inNamespace(topology.a) {
            let protection = SelfProtection(sources: .init(resolvConfPath: nil, connectedSubnets: true))
            return (protection, try SelfProtectionWatcher.start(protection, interval: .seconds(60)))
        }
        defer { watcher.stop() }
        let probe = IPAddress("10.63.5.9")!
        #expect(protection.reasonIfProtected(probe) == nil)
        try Shell.must(["ip", "-n", topology.a, "addr", "add", "10.63.5.1/24", "dev", "sdbkpswab"])
        let deadline = Date().addingTimeInterval(3)
        while protection.reasonIfProtected(probe) == nil && Date() < deadline { usleep(20_000) }
        #expect(protection.reasonIfProtected(probe) == "is on the directly connected subnet 10.63.5.0/24 (sdbkpswab)")
    }
}
