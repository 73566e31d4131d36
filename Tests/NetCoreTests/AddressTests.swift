import NetCore
import Testing

@Suite("IPAddress and CIDR")
struct AddressTests {
    @Test("parse and print", arguments: [
        ("10.0.0.1", "10.0.0.1"), ("255.255.255.255", "255.255.255.255"), ("0.0.0.0", "0.0.0.0"),
        ("2001:DB8::1", "2001:db8::1"), ("::1", "::1"), ("fe80::1%eth0", "fe80::1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"), (" 192.0.2.9\n", "192.0.2.9"),
    ])
    func roundTrip(input: String, printed: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == printed)
        #expect(IPAddress(address.description) == address)
    }

    @Test("rejects what is not an address", arguments: ["", "10.0.0", "10.0.0.256", "10.0.0.0/8", "::g", "host",
                                                         "1.2.3.4.5", "2001:db8::1::2"])
    func rejects(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test("network bytes are the nftables key")
    func networkBytes() throws {
        #expect(try #require(IPAddress("10.1.2.3")).networkBytes == [10, 1, 2, 3])
        let v6 = try #require(IPAddress("2001:db8::ff"))
        #expect(v6.networkBytes == [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [0xff])
        #expect(IPAddress(networkBytes: v6.networkBytes) == v6)
        #expect(IPAddress(networkBytes: [1, 2, 3]) == nil)
        #expect(IPAddress(ipv4: 0xC000_0201).description == "192.0.2.1")
    }

    @Test("IPv4 sorts before IPv6, then numerically")
    func ordering() {
        let sorted = ["::1", "10.0.0.2", "9.0.0.1", "2001:db8::1"].compactMap(IPAddress.init).sorted()
        #expect(sorted.map(\.description) == ["9.0.0.1", "10.0.0.2", "::1", "2001:db8::1"])
    }

    @Test("CIDR parse, normalise and contains")
    func cidr() throws {
        let net = try #require(CIDR("10.1.2.3/8"))
        #expect(net.description == "10.0.0.0/8")
        #expect(net.contains(IPAddress("10.255.0.1")!))
        #expect(!net.contains(IPAddress("11.0.0.0")!))
        #expect(!net.contains(IPAddress("::a00:1")!))
        let v6 = try #require(CIDR("fd00::/8"))
        #expect(v6.contains(IPAddress("fd12:3456::1")!))
        #expect(!v6.contains(IPAddress("fe80::1")!))
        #expect(CIDR("192.0.2.7")?.description == "192.0.2.7/32")
        #expect(CIDR("2001:db8::/64")?.contains(IPAddress("2001:db8::ffff:1")!) == true)
        #expect(CIDR("2001:db8::/65")?.contains(IPAddress("2001:db8::8000:0:0:1")!) == false)
        #expect(CIDR("0.0.0.0/0")?.contains(IPAddress("203.0.113.1")!) == true)
        #expect(CIDR("::/0")?.contains(IPAddress("2001:db8::1")!) == true)
        #expect(CIDR("::ffff:10.0.0.0/104")?.description == "::ffff:10.0.0.0/104")
        // An IPv4 range never contains an IPv6 address, IPv4-mapped or not, and the reverse.
        #expect(!net.contains(IPAddress("::ffff:10.0.0.1")!))
        #expect(CIDR("::ffff:10.0.0.0/104")?.contains(IPAddress("10.0.0.1")!) == false)
    }

    @Test("CIDR rejects bad prefixes", arguments: ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/a",
                                                    "::/129", "10.0.0.0/8/8", "/8", "10.0.0.0/0008"])
    func cidrRejects(input: String) {
        #expect(CIDR(input) == nil)
    }
}

@Suite("IPAddress family")
struct AddressFamilyTests {
    @Test("an IPv4-mapped IPv6 address is not the IPv4 address")
    func mappedIsDistinct() throws {
        let v4 = try #require(IPAddress("10.88.2.2"))
        let mapped = try #require(IPAddress("::ffff:10.88.2.2"))
        #expect(v4 != mapped)
        #expect(v4.hashValue != mapped.hashValue || v4 != mapped)
        #expect(v4.isIPv4 && !mapped.isIPv4 && mapped.isIPv4MappedIPv6)
        #expect(Set([v4, mapped]).count == 2)
        #expect(v4.networkBytes.count == 4 && mapped.networkBytes.count == 16)
        #expect(v4.isPrivate && !mapped.isPrivate)
    }
}
