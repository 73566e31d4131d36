import NetCore
import Foundation
import Testing
@testable import Blocker

@Suite("SelfProtection parsers")
struct SelfProtectionParserTests {
    @Test("IPv4 gateways from /proc/net/route text, default route marked")
    func ipv4Routes() {
        let text = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
        eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
        eth1\t0000000A\tFE01A8C0\t0003\t0\t0\t0\t000000FF\t0\t0\t0
        garbage line
        """
        let gateways = RouteTable.ipv4Gateways(text)
        #expect(gateways == [
            RouteTable.Gateway(address: IPAddress("192.0.2.1")!, interface: "eth0", isDefault: true),
            RouteTable.Gateway(address: IPAddress("192.168.1.254")!, interface: "eth1", isDefault: false),
        ])
    }

    @Test("IPv6 gateways from /proc/net/ipv6_route text")
    func ipv6Routes() {
        let text = """
        fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
        00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
        00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
        """
        #expect(RouteTable.ipv6Gateways(text) == [
            RouteTable.Gateway(address: IPAddress("fd00::1")!, interface: "eth0", isDefault: true),
        ])
    }

    @Test("nameservers from resolv.conf text")
    func resolvConf() {
        let text = """
        # comment nameserver 1.1.1.1
        search example.org
        nameserver 10.255.255.53
        nameserver   fe80::1%eth0 ; zone dropped
        nameserver not-an-address
        ;nameserver 9.9.9.9
        nameserver 2001:db8::53
        """
        #expect(ResolvConf.nameservers(text) == ["10.255.255.53", "fe80::1", "2001:db8::53"].map { IPAddress($0)! })
    }
}

@Suite("SelfProtection in a network namespace", .serialized, .timeLimit(.minutes(2)))
struct SelfProtectionNamespaceTests {
    @Test("finds the namespace's interface addresses, gateway, resolvers and allowlist")
    func protectsGatewayEssentials() async throws {
        let topology = try Topology(tag: "sp")
        defer { topology.destroy() }
        try Shell.must(["ip", "-n", topology.a, "route", "add", "default", "via", Topology.b4])
        try Shell.must(["ip", "-n", topology.a, "-6", "route", "add", "default", "via", Topology.b6])
        try Shell.must(["ip", "-n", topology.a, "route", "add", "172.31.0.0/16", "via", Topology.b4])
        let resolv = FileManager.default.temporaryDirectory.appendingPathComponent("sdbk-resolv-\(getpid()).conf")
        try "nameserver 192.0.2.53\nnameserver 2001:db8::53\n".write(to: resolv, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: resolv) }

        let path = resolv.path
        let (reasons, warnings, rules) = try await inNamespace(topology.a) {
            // /proc/net is the main thread's namespace; /proc/thread-self/net is this thread's.
            let protection = SelfProtection(
                allowlist: [CIDR("10.200.0.0/16")!, CIDR("2001:db8:aaaa::/48")!],
                sources: .init(resolvConfPath: path, ipv4RoutesPath: "/proc/thread-self/net/route",
                               ipv6RoutesPath: "/proc/thread-self/net/ipv6_route"))
            let probes = [Topology.aToB4, Topology.aToB6, "127.0.0.1", "::1", Topology.b4, Topology.b6,
                          "192.0.2.53", "2001:db8::53", "10.200.9.9", "2001:db8:aaaa:1::1", "198.51.100.1",
                          "10.61.1.3", "224.0.0.251"]
            var reasons: [String: String] = [:]
            for probe in probes {
                reasons[probe] = protection.reasonIfProtected(IPAddress(probe)!) ?? "-"
            }
            return (reasons, protection.warnings, protection.rules.count)
        }
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(reasons[Topology.aToB4] == "is an address of interface sdbkspab")
        #expect(reasons[Topology.aToB6] == "is an address of interface sdbkspab")
        #expect(reasons["127.0.0.1"] == "is an address of interface lo")
        #expect(reasons["::1"] == "is an address of interface lo")
        #expect(reasons[Topology.b4] == "is the default gateway (via sdbkspab)")
        #expect(reasons[Topology.b6] == "is the default gateway (via sdbkspab)")
        #expect(reasons["192.0.2.53"] == "is a resolver in \(path)")
        #expect(reasons["2001:db8::53"] == "is a resolver in \(path)")
        #expect(reasons["10.200.9.9"] == "is in allowlist 10.200.0.0/16")
        #expect(reasons["2001:db8:aaaa:1::1"] == "is in allowlist 2001:db8:aaaa::/48")
        #expect(reasons["198.51.100.1"] == "-")
        #expect(reasons["10.61.1.3"] == "-")
        #expect(reasons["224.0.0.251"] == "is a multicast address")
        #expect(rules > 10)
    }

    @Test("refresh picks up an address added later; a missing file is a warning")
    func refreshSeesNewAddress() async throws {
        let topology = try Topology(tag: "sr")
        defer { topology.destroy() }
        let protection = try await inNamespace(topology.a) {
            SelfProtection(sources: .init(resolvConfPath: "/nonexistent/sdbk-resolv.conf",
                                          ipv4RoutesPath: "/proc/thread-self/net/route",
                                          ipv6RoutesPath: "/proc/thread-self/net/ipv6_route"))
        }
        #expect(protection.warnings.count == 1)
        #expect(protection.warnings.first?.contains("/nonexistent/sdbk-resolv.conf") == true)
        #expect(protection.reasonIfProtected(IPAddress("10.61.1.50")!) == nil)
        try Shell.must(["ip", "-n", topology.a, "addr", "add", "10.61.1.50/24", "dev", "sdbksrab"])
        _ = try await inNamespace(topology.a) { protection.refresh() }
        #expect(protection.reasonIfProtected(IPAddress("10.61.1.50")!) == "is an address of interface sdbksrab")
    }
}
