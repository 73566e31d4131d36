import NetCore
import Records
import Capture
import Testing
import TestSupport

/// Every prefix of every valid packet kind: a cut inside a header throws that layer's truncation error; a cut
/// inside the payload (snaplen, wire length kept) decodes with the payload captured so far. Then short packets
/// and random damage: never a crash, and lengths always stay inside the buffer.
@Suite struct TruncationTests {
    /// One header layer: the error a cut inside it gives, and its length in bytes.
    struct Layer: Sendable {
        var error: DecodeError
        var length: Int
        init(_ error: DecodeError, _ length: Int) { self.error = error; self.length = length }
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var frame: [UInt8]
        var link: LinkType
        var layers: [Layer]
        /// Bytes after the IP packet (Ethernet padding).
        var padding = 0
        var description: String { name }
        var headerEnd: Int { layers.reduce(0) { $0 + $1.length } }
        var packetEnd: Int { frame.count - padding }

        /// The truncation error for a cut after `n` bytes, or nil when the headers are complete.
        func expectedError(at n: Int) -> DecodeError? {
            var end = 0
            for layer in layers {
                end += layer.length
                if n < end { return layer.error }
            }
            return nil
        }
    }

    static let cases: [Case] = {
        let payload = Array("0123456789".utf8)
        let fragments4 = SyntheticTraffic.fragmentedUDP(payloadSize: 100, fragmentSize: 48)
        let fragments6 = SyntheticTraffic.fragmentedUDP(client: "2001:db8::1", server: "2001:db8::2",
                                                        payloadSize: 100, fragmentSize: 48)
        let chain: [IPv6Extension] = [.hopByHop(), .routing(addresses: 1),
                                      .fragment(offset: 0, moreFragments: false, identification: 3),
                                      .authentication(icvLength: 12)]
        return [
            Case(name: "Ethernet IPv4 TCP",
                 frame: PacketBuilder.tcp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, payload: payload),
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.ipv4Truncated, 20),
                                           .init(.tcpTruncated, 20)]),
            Case(name: "QinQ IPv4 with options, TCP with options",
                 frame: PacketBuilder.tcp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, flags: .syn,
                                          options: TCPOption.linuxSYN, payload: payload, vlan: [10, 20],
                                          ip: IPFields(ipv4Options: IPFields.recordRouteOption(slots: 1))),
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.vlanTruncated, 4),
                                           .init(.vlanTruncated, 4), .init(.ipv4Truncated, 28),
                                           .init(.tcpTruncated, 20), .init(.tcpOptionsTruncated, 20)]),
            Case(name: "four VLAN tags, IPv6 TCP",
                 frame: PacketBuilder.tcp(src: "2001:db8::1", sport: 1, dst: "2001:db8::2", dport: 2,
                                          payload: payload, vlan: [1, 2, 3, 4]),
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.vlanTruncated, 4),
                                           .init(.vlanTruncated, 4), .init(.vlanTruncated, 4),
                                           .init(.vlanTruncated, 4), .init(.ipv6Truncated, 40),
                                           .init(.tcpTruncated, 20)]),
            Case(name: "SLL IPv4 UDP",
                 frame: PacketBuilder.udp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, payload: payload,
                                          link: .linuxSLL),
                 link: .linuxSLL, layers: [.init(.sllTruncated, 16), .init(.ipv4Truncated, 20),
                                           .init(.udpTruncated, 8)]),
            Case(name: "SLL2 IPv6 TCP",
                 frame: PacketBuilder.tcp(src: "2001:db8::1", sport: 1, dst: "2001:db8::2", dport: 2,
                                          payload: payload, link: .linuxSLL2),
                 link: .linuxSLL2, layers: [.init(.sllTruncated, 20), .init(.ipv6Truncated, 40),
                                            .init(.tcpTruncated, 20)]),
            Case(name: "raw IPv4 ICMP echo",
                 frame: PacketBuilder.icmpEcho(src: "10.0.0.1", dst: "10.0.0.2", payload: payload, link: .raw),
                 link: .raw, layers: [.init(.ipv4Truncated, 20), .init(.icmpTruncated, 8)]),
            Case(name: "raw IPv6 ICMPv6 echo",
                 frame: PacketBuilder.icmpv6Echo(src: "2001:db8::1", dst: "2001:db8::2", payload: payload,
                                                 link: .rawPcap),
                 link: .rawPcap, layers: [.init(.ipv4Truncated, 1), .init(.ipv6Truncated, 39),
                                          .init(.icmpv6Truncated, 8)]),
            Case(name: "NFQUEUE IPv4 UDP",
                 frame: PacketBuilder.udp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, payload: payload,
                                          link: .nfqueue),
                 link: .nfqueue, layers: [.init(.ipv4Truncated, 20), .init(.udpTruncated, 8)]),
            Case(name: "DLT_IPV4 TCP",
                 frame: PacketBuilder.tcp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, payload: payload,
                                          link: .ipv4),
                 link: .ipv4, layers: [.init(.ipv4Truncated, 20), .init(.tcpTruncated, 20)]),
            Case(name: "DLT_IPV6 extension chain UDP",
                 frame: PacketBuilder.udp(src: "2001:db8::1", sport: 1, dst: "2001:db8::2", dport: 2,
                                          payload: payload, link: .ipv6, ip: IPFields(ipv6Extensions: chain)),
                 link: .ipv6, layers: [.init(.ipv6Truncated, 40), .init(.ipv6ExtensionTruncated, 8),
                                       .init(.ipv6ExtensionTruncated, 24), .init(.ipv6ExtensionTruncated, 8),
                                       .init(.ipv6ExtensionTruncated, 24), .init(.udpTruncated, 8)]),
            Case(name: "Ethernet ARP request",
                 frame: PacketBuilder.arpRequest(senderIP: "10.0.0.1", targetIP: "10.0.0.2"),
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.arpTruncated, 28)]),
            Case(name: "IPv4 first fragment", frame: fragments4[0].bytes,
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.ipv4Truncated, 20),
                                           .init(.udpTruncated, 8)]),
            Case(name: "IPv4 later fragment", frame: fragments4[1].bytes,
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.ipv4Truncated, 20)]),
            Case(name: "IPv6 later fragment", frame: fragments6[2].bytes,
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.ipv6Truncated, 40),
                                           .init(.ipv6ExtensionTruncated, 8)]),
            Case(name: "padded Ethernet TCP ACK",
                 frame: PacketBuilder.padded(PacketBuilder.tcp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2",
                                                               dport: 2)),
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.ipv4Truncated, 20),
                                           .init(.tcpTruncated, 20)], padding: 6),
            Case(name: "IPv6 TCP with a 4-byte FCS trailer",
                 frame: PacketBuilder.tcp(src: "2001:db8::1", sport: 1, dst: "2001:db8::2", dport: 2,
                                          payload: [1, 2, 3]) + [0xDE, 0xAD, 0xBE, 0xEF],
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.ipv6Truncated, 40),
                                           .init(.tcpTruncated, 20)], padding: 4),
            Case(name: "padded Ethernet UDP with 2 bytes",
                 frame: PacketBuilder.padded(PacketBuilder.udp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2",
                                                               dport: 2, payload: [1, 2])),
                 link: .ethernet, layers: [.init(.ethernetTruncated, 14), .init(.ipv4Truncated, 20),
                                           .init(.udpTruncated, 8)], padding: 16),
        ]
    }()

    @Test(arguments: cases)
    func everyPrefixWithFullWireLength(_ testCase: Case) throws {
        let frame = testCase.frame
        #expect(testCase.headerEnd <= testCase.packetEnd, "layer table longer than the packet")
        for n in 0...frame.count {
            let prefix = Array(frame.prefix(n))
            let outcome = Result { () throws(DecodeError) -> DecodedPacket in
                try PacketBuilder.decode(prefix, linkType: testCase.link, wireLength: frame.count)
            }
            if let expected = testCase.expectedError(at: n) {
                #expect(throws: expected, "cut after \(n) of \(frame.count) bytes") { try outcome.get() }
                continue
            }
            let packet = try #require(try? outcome.get(), "cut after \(n) bytes inside the payload must decode")
            #expect(packet.capturedLength == Int32(n) && packet.wireLength == Int32(frame.count))
            if packet.network == .arp { continue }
            #expect(packet.payloadOffset == Int32(testCase.headerEnd), "cut after \(n)")
            #expect(packet.payloadLength == Int32(testCase.packetEnd - testCase.headerEnd), "cut after \(n)")
            #expect(packet.payloadCaptured == Int32(min(n, testCase.packetEnd) - testCase.headerEnd),
                    "cut after \(n)")
        }
    }

    /// Checks the invariants every successful decode must keep for a buffer of `count` bytes.
    static func checkInvariants(_ packet: DecodedPacket, count: Int, context: @autoclosure () -> String) {
        let offset = Int(packet.payloadOffset), captured = Int(packet.payloadCaptured)
        #expect(offset >= 0 && captured >= 0 && offset + captured <= count, "\(context())")
        #expect(captured <= Int(packet.payloadLength), "\(context())")
        #expect(Int(packet.networkOffset) <= count, "\(context())")
        #expect(packet.network != .other, "\(context())")
    }

    @Test(arguments: cases)
    func everyShortPacketNeverCrashes(_ testCase: Case) {
        for n in 0...testCase.frame.count {
            let prefix = Array(testCase.frame.prefix(n))
            if let packet = try? PacketBuilder.decode(prefix, linkType: testCase.link, wireLength: n) {
                Self.checkInvariants(packet, count: n, context: "\(testCase.name) short at \(n)")
                // A packet whose IP length exceeds the bytes on the wire never decodes.
                #expect(Int(packet.networkOffset) + Int(packet.ipLength) <= n || packet.network == .arp)
            }
        }
    }

    /// A small deterministic generator (xorshift64*), so failures reproduce.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
    }

    @Test(arguments: cases)
    func randomDamageNeverCrashes(_ testCase: Case) {
        var random = SeededRandom(state: 0x9E37_79B9_7F4A_7C15 ^ UInt64(testCase.frame.count))
        var decodedCount = 0
        for iteration in 0..<3_000 {
            var frame = testCase.frame
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<frame.count, using: &random)
                frame[index] = UInt8.random(in: 0...255, using: &random)
            }
            let cut = Int.random(in: 0...frame.count, using: &random)
            let wire = Bool.random(using: &random) ? frame.count : cut
            let link = LinkType.allCases.randomElement(using: &random)!
            let bytes = Array(frame.prefix(cut))
            if let packet = try? PacketBuilder.decode(bytes, linkType: link, wireLength: wire) {
                decodedCount += 1
                Self.checkInvariants(packet, count: cut, context: "\(testCase.name) iteration \(iteration)")
            }
        }
        #expect(decodedCount > 0, "damage so heavy nothing decodes tests nothing")
    }

    @Test(arguments: LinkType.allCases)
    func randomBytesNeverCrash(link: LinkType) {
        var random = SeededRandom(state: 0xD1B5_4A32_D192_ED03 ^ UInt64(bitPattern: Int64(link.rawValue)))
        for iteration in 0..<5_000 {
            let count = Int.random(in: 0...160, using: &random)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Nudge toward plausible headers so deeper layers get exercised.
            if count > 0, link == .raw || link == .nfqueue || link == .ipv4 {
                bytes[0] = iteration % 2 == 0 ? 0x45 : 0x60
            }
            if count > 14, link == .ethernet { bytes[12] = 0x08; bytes[13] = iteration % 3 == 0 ? 0x06 : 0x00 }
            if let packet = try? PacketBuilder.decode(bytes, linkType: link, wireLength: count) {
                Self.checkInvariants(packet, count: count, context: "\(link) iteration \(iteration)")
            }
        }
    }
}
