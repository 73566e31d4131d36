@testable import Capture
import Foundation
import NetCore
import Records
import Testing

/// Real DHCP traffic: dnsmasq serves a range on one end of a veth pair in a namespace the test creates, busybox
/// `udhcpc` asks for a lease from the other end (another namespace, a MAC the test sets, a host name option),
/// `tcpdump` records the exchange on the server's side. The dhcp record is compared with tshark's `dhcp.*`
/// fields of the same capture (message types in order, client MAC, assigned and requested address, host name,
/// server identifier, lease time), and every truncation of each recorded DHCP message is parsed without a trap.
@Suite("DHCP analyzer on real dnsmasq/udhcpc traffic", .serialized, .timeLimit(.minutes(2)))
struct DHCPLiveTrafficTests {
    typealias Shell = DNSLiveTrafficTests

    @Test("udhcpc against dnsmasq: the dhcp record agrees with tshark")
    func udhcpcAgainstDnsmasq() throws {
        var lab = try LiveCaptureLab("dhl", tools: ["dnsmasq", "udhcpc"], package: "dnsmasq-base, udhcpc")
        defer { lab.close() }
        let client = "dhl\(getpid() % 10000)c"
        try lab.addNamespace(client)
        let serverLink = "dhl\(getpid() % 10000)s", clientLink = "dhl\(getpid() % 10000)k"
        let mac = "02:00:00:aa:bb:cc"
        for command in [
            ["ip", "link", "add", serverLink, "netns", lab.namespaces[0], "type", "veth", "peer", "name", clientLink,
             "netns", client],
            ["ip", "-n", lab.namespaces[0], "addr", "add", "10.77.0.1/24", "dev", serverLink],
            ["ip", "-n", lab.namespaces[0], "link", "set", serverLink, "up"],
            ["ip", "-n", client, "link", "set", clientLink, "address", mac, "up"],
        ] {
            try #require(try LiveCaptureLab.run(command).status == 0, "\(command.joined(separator: " "))")
        }
        let recording = try lab.record("dhcp", interface: serverLink, filter: ["udp", "port", "67", "or", "udp", "port", "68"])
        _ = try lab.start("dnsmasq", lab.inside() + [
            "dnsmasq", "-k", "--log-facility=-", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--user=root", "--port=0",
            "--interface=\(serverLink)", "--bind-interfaces", "--dhcp-range=10.77.0.50,10.77.0.60,12h",
            "--dhcp-leasefile=\(lab.directory)/leases", "--pid-file=\(lab.directory)/dnsmasq.pid",
        ])
        try #require(Shell.wait(seconds: 10) { lab.errors("dnsmasq").contains("DHCP, IP range") },
                     "dnsmasq did not start: \(lab.errors("dnsmasq"))")
        let lease = try LiveCaptureLab.run(lab.inside(1) + ["timeout", "20", "udhcpc", "-i", clientLink, "-n", "-q", "-f",
                                                   "-t", "5", "-T", "1", "-x", "hostname:slipclient", "-s", "/bin/true"])
        #expect(lease.status == 0, "udhcpc got no lease")
        lab.finish(recording)

        let (records, statistics) = try LiveCaptureLab.records(recording.path)
        #expect(statistics.dhcpMalformations.total == 0, "\(statistics.dhcpMalformations.nonZero)")
        let dhcp = records.compactMap { DHCPRecord.from($0) }
        let rows = try LiveCaptureLab.tshark(recording.path, filter: "dhcp", fields: [
            "dhcp.id", "dhcp.option.dhcp", "dhcp.hw.mac_addr", "dhcp.ip.your", "dhcp.option.hostname",
            "dhcp.option.dhcp_server_id", "dhcp.option.requested_ip_address", "dhcp.option.ip_address_lease_time",
        ])
        #expect(Set(rows.map { $0[0] }).count == 1, "one transaction: \(rows.map { $0[0] })")
        #expect(dhcp.count == 1, "\(dhcp)")
        let record = try #require(dhcp.first)
        let names = ["1": "DISCOVER", "2": "OFFER", "3": "REQUEST", "5": "ACK", "6": "NAK"]
        #expect(record.messageTypes == rows.map { names[$0[1]] ?? $0[1] })
        #expect(record.messageTypes.first == "DISCOVER" && record.messageTypes.last == "ACK")
        // chaddr, and option 61's hardware address where the client sends one (tshark names both dhcp.hw.mac_addr).
        #expect(Set(rows.flatMap { $0[2].split(separator: ";").map(String.init) }) == [mac])
        #expect(record.mac == MACAddress(mac))
        let acknowledged = try #require(rows.last { $0[1] == "5" })
        #expect(record.assignedAddress == IPAddress(acknowledged[3]))
        #expect(record.serverAddress == IPAddress(acknowledged[5]) && acknowledged[5] == "10.77.0.1")
        #expect(record.leaseTime == (Int64(acknowledged[7]) ?? -1) * 1_000_000)
        let requested = try #require(rows.last { $0[1] == "3" })
        #expect(record.requestedAddress == IPAddress(requested[6]) && requested[6] == acknowledged[3])
        #expect(record.hostName == requested[4] && requested[4] == "slipclient")
        #expect(record.clientAddress == nil, "the client had no address yet (0.0.0.0)")

        // Every prefix of each recorded DHCP message: a message or a malformation, never a trap.
        let payloads = try LiveCaptureLab.tshark(recording.path, filter: "dhcp", fields: ["udp.payload"])
            .map { TLSWire.hex($0[0].replacingOccurrences(of: ":", with: "")) }
        #expect(payloads.count == rows.count)
        for payload in payloads {
            let whole = try payload.withUnsafeBytes { try DHCPParser.parse($0) }
            #expect(whole.hardwareAddress == MACAddress(mac))
            for cut in 0..<payload.count {
                let prefix = Array(payload[..<cut])
                _ = prefix.withUnsafeBytes { try? DHCPParser.parse($0) }
            }
        }
    }
}
