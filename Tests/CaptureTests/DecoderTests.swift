import NetCore
import Records
import Capture
import Testing
import TestSupport

/// Table-driven tests of `PacketDecoder` over frames built by `PacketBuilder`.
@Suite struct DecoderTests {
    static let ipv4Links: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .raw, .rawPcap, .ipv4, .nfqueue]
    static let ipv6Links: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .raw, .rawPcap, .ipv6, .nfqueue]

    static func networkOffset(_ link: LinkType) -> Int32 {
        switch link {
        case .ethernet: 14
        case .linuxSLL: 16
        case .linuxSLL2: 20
        default: 0
        }
    }

    @Test(arguments: ipv4Links)
    func ipv4TCPOnEveryLinkType(link: LinkType) throws {
        let payload = Array("hello, world".utf8)
        let frame = PacketBuilder.tcp(src: "192.168.1.10", sport: 40_123, dst: "93.184.216.34", dport: 443,
                                      flags: [.psh, .ack], seq: 0xDEAD_BEEF, ack: 0x0102_0304, window: 501,
                                      payload: payload, link: link, srcMAC: MACAddress("02:aa:bb:cc:dd:01"),
                                      dstMAC: MACAddress("02:aa:bb:cc:dd:02"),
                                      ip: IPFields(ttl: 63, identification: 77))
        let time = PacketTime(seconds: 1_700_000_123, microseconds: 456)
        let packet = try PacketBuilder.decode(frame, linkType: link, time: time)
        let offset = Self.networkOffset(link)
        #expect(packet.time == time)
        #expect(packet.network == .ipv4)
        #expect(packet.networkOffset == offset)
        #expect(packet.srcIP == IPAddress("192.168.1.10"))
        #expect(packet.dstIP == IPAddress("93.184.216.34"))
        #expect(packet.ipProtocol == IPProtocolNumber.tcp)
        #expect(packet.ttl == 63)
        #expect(packet.ipLength == Int32(20 + 20 + payload.count))
        #expect(packet.srcPort == 40_123 && packet.dstPort == 443)
        #expect(packet.tcpFlags == TCPFlag.psh | TCPFlag.ack)
        #expect(packet.tcpSeq == 0xDEAD_BEEF && packet.tcpAck == 0x0102_0304 && packet.tcpWindow == 501)
        #expect(packet.hasTransport && !packet.isFragment)
        #expect(packet.payloadOffset == offset + 40)
        #expect(packet.payloadLength == Int32(payload.count) && packet.payloadCaptured == Int32(payload.count))
        #expect(packet.capturedLength == Int32(frame.count) && packet.wireLength == Int32(frame.count))
        let start = Int(packet.payloadOffset)
        #expect(Array(frame[start..<start + Int(packet.payloadCaptured)]) == payload)
        switch link {
        case .ethernet:
            #expect(packet.srcMAC == MACAddress("02:aa:bb:cc:dd:01"))
            #expect(packet.dstMAC == MACAddress("02:aa:bb:cc:dd:02"))
        case .linuxSLL, .linuxSLL2:
            #expect(packet.srcMAC == MACAddress("02:aa:bb:cc:dd:01"))
            #expect(packet.dstMAC == .zero)
        default:
            #expect(packet.srcMAC == .zero && packet.dstMAC == .zero)
        }
    }

    @Test(arguments: ipv6Links)
    func ipv6UDPOnEveryLinkType(link: LinkType) throws {
        let payload = [UInt8](repeating: 0x5A, count: 33)
        let frame = PacketBuilder.udp(src: "2001:db8::10", sport: 5353, dst: "ff02::fb", dport: 5353,
                                      payload: payload, link: link, ip: IPFields(ttl: 255))
        let packet = try PacketBuilder.decode(frame, linkType: link)
        let offset = Self.networkOffset(link)
        #expect(packet.network == .ipv6)
        #expect(packet.networkOffset == offset)
        #expect(packet.srcIP == IPAddress("2001:db8::10") && packet.dstIP == IPAddress("ff02::fb"))
        #expect(packet.ipProtocol == IPProtocolNumber.udp && packet.ttl == 255)
        #expect(packet.ipLength == Int32(40 + 8 + payload.count))
        #expect(packet.srcPort == 5353 && packet.dstPort == 5353 && packet.hasTransport)
        #expect(packet.payloadOffset == offset + 48 && packet.payloadLength == 33 && packet.payloadCaptured == 33)
    }

    @Test func linuxCookedWithoutSixByteAddressLeavesMACZero() throws {
        var sll = PacketBuilder.tcp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, link: .linuxSLL)
        sll[5] = 0 // link-layer address length 0 (e.g. a tunnel)
        #expect(try PacketBuilder.decode(sll, linkType: .linuxSLL).srcMAC == .zero)
        var sll2 = PacketBuilder.tcp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, link: .linuxSLL2)
        sll2[11] = 4
        #expect(try PacketBuilder.decode(sll2, linkType: .linuxSLL2).srcMAC == .zero)
    }

    struct VLANCase: Sendable, CustomStringConvertible {
        var tags: [UInt16]
        var tpids: [UInt16]?
        var link: LinkType = .ethernet
        var description: String { "\(link) tags \(tags) tpids \(tpids?.map { String($0, radix: 16) } ?? [])" }
    }

    static let vlanCases: [VLANCase] = [
        VLANCase(tags: []),
        VLANCase(tags: [10]),
        VLANCase(tags: [4095], tpids: [0x88A8]),
        VLANCase(tags: [100, 200]),
        VLANCase(tags: [100, 200], tpids: [0x9100, 0x8100]),
        VLANCase(tags: [1, 2, 3]),
        VLANCase(tags: [11, 22, 33, 44], tpids: [0x88A8, 0x9100, 0x88A8, 0x8100]),
        VLANCase(tags: [300], link: .linuxSLL),
        VLANCase(tags: [300, 400], link: .linuxSLL2),
    ]

    @Test(arguments: vlanCases)
    func stackedVLANTags(_ vlan: VLANCase) throws {
        let ip = PacketBuilder.ipv4Packet(
            src: PacketBuilder.address("10.9.0.1"), dst: PacketBuilder.address("10.9.0.2"),
            protocolNumber: IPProtocolNumber.udp,
            transport: PacketBuilder.udpDatagram(src: PacketBuilder.address("10.9.0.1"),
                                                 dst: PacketBuilder.address("10.9.0.2"), sport: 7, dport: 9))
        let frame = PacketBuilder.frame(ip, link: vlan.link, vlan: vlan.tags, vlanTPIDs: vlan.tpids)
        let packet = try PacketBuilder.decode(frame, linkType: vlan.link)
        #expect(packet.outerVLAN == (vlan.tags.first ?? 0))
        #expect(packet.innerVLAN == (vlan.tags.count > 1 ? vlan.tags[1] : 0))
        #expect(packet.networkOffset == Self.networkOffset(vlan.link) + Int32(4 * vlan.tags.count))
        #expect(packet.srcPort == 7 && packet.dstPort == 9)
    }

    @Test func vlanIDIgnoresPriorityBits() throws {
        var frame = PacketBuilder.udp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, vlan: [42])
        frame[14] |= 0xE0 // priority 7
        frame[14] |= 0x10 // DEI
        #expect(try PacketBuilder.decode(frame).outerVLAN == 42)
    }

    @Test(arguments: [0, 1, 2, 5, 9])
    func ipv4Options(recordRouteSlots: Int) throws {
        let options = recordRouteSlots == 0 ? [] : IPFields.recordRouteOption(slots: recordRouteSlots)
        let padded = (options.count + 3) / 4 * 4
        let frame = PacketBuilder.tcp(src: "10.0.0.1", sport: 1000, dst: "10.0.0.2", dport: 2000, flags: .syn,
                                      payload: [1, 2, 3], ip: IPFields(ipv4Options: options))
        let packet = try PacketBuilder.decode(frame)
        #expect(packet.ipLength == Int32(20 + padded + 20 + 3))
        #expect(packet.payloadOffset == Int32(14 + 20 + padded + 20))
        #expect(packet.srcPort == 1000 && packet.dstPort == 2000 && packet.tcpFlags == TCPFlag.syn)
        #expect(packet.payloadLength == 3)
    }

    @Test func routerAlertOption() throws {
        let frame = PacketBuilder.udp(src: "10.0.0.1", sport: 1, dst: "224.0.0.22", dport: 2, payload: [9],
                                      ip: IPFields(ipv4Options: IPFields.routerAlertOption))
        let packet = try PacketBuilder.decode(frame)
        #expect(packet.payloadOffset == 14 + 24 + 8 && packet.payloadLength == 1)
    }

    @Test(arguments: ["10.0.0.1", "2001:db8::1"])
    func fragmentsFirstCarriesPortsLaterDoNot(client: String) throws {
        let server = client.contains(":") ? "2001:db8::2" : "10.0.0.2"
        let packets = SyntheticTraffic.fragmentedUDP(client: client, server: server, payloadSize: 3_000,
                                                     fragmentSize: 1_200)
        #expect(packets.count == 3)
        let decoded = try packets.map { packet throws(DecodeError) in try packet.decoded() }
        let first = decoded[0]
        #expect(first.isFragment && !first.isLaterFragment && first.hasTransport)
        #expect(first.srcPort == 55_000 && first.dstPort == 5_000)
        #expect(first.payloadLength == 1_200 - 8)
        var carried = Int(first.payloadLength) + 8
        for later in decoded.dropFirst() {
            #expect(later.isFragment && later.isLaterFragment && !later.hasTransport)
            #expect(later.srcPort == 0 && later.dstPort == 0 && later.tcpFlags == 0)
            #expect(later.ipProtocol == IPProtocolNumber.udp)
            carried += Int(later.payloadLength)
            #expect(later.payloadCaptured == later.payloadLength)
        }
        #expect(carried == 3_000 + 8)
    }

    @Test func atomicIPv6FragmentIsNotAFragment() throws {
        let frame = PacketBuilder.tcp(src: "2001:db8::1", sport: 1, dst: "2001:db8::2", dport: 2,
                                      ip: IPFields(ipv6Extensions: [.fragment(offset: 0, moreFragments: false,
                                                                              identification: 9)]))
        let packet = try PacketBuilder.decode(frame)
        #expect(!packet.isFragment && packet.hasTransport && packet.dstPort == 2)
    }

    /// An 8-byte first fragment is a valid fragment (the fragment-evasion attack): it decodes without its transport
    /// header, for the reassembler (it threw `tcpTruncated` before, so the scan's SYNs were never seen).
    @Test func tinyFirstFragmentWithoutFullTCPHeaderIsAFragment() throws {
        let transport = PacketBuilder.tcpSegment(src: PacketBuilder.address("10.0.0.1"),
                                                 dst: PacketBuilder.address("10.0.0.2"), sport: 1, dport: 2,
                                                 flags: .syn, seq: 1, ack: 0)
        let frames = PacketBuilder.ipFragments(src: "10.0.0.1", dst: "10.0.0.2", protocolNumber: 6,
                                               transport: transport, fragmentSize: 8)
        #expect(frames.count == 3)
        let first = try PacketBuilder.decode(frames[0])
        #expect(first.isFragment && !first.isLaterFragment && !first.hasTransport && first.moreFragments)
        #expect(first.fragmentOffset == 0 && first.payloadLength == 8)
        #expect(try PacketBuilder.decode(frames[1]).isLaterFragment)
    }

    struct ExtensionCase: Sendable, CustomStringConvertible {
        var chain: [IPv6Extension]
        var description: String { chain.map { "\($0.protocolNumber)" }.joined(separator: "→") }
        var length: Int { chain.reduce(0) { $0 + $1.encode(next: 0).count } }
    }

    static let extensionCases: [ExtensionCase] = [
        ExtensionCase(chain: [.hopByHop()]),
        ExtensionCase(chain: [.hopByHop(padding: 14), .destinationOptions(padding: 30)]),
        ExtensionCase(chain: [.hopByHop(), .routing(addresses: 2), .destinationOptions()]),
        ExtensionCase(chain: [.authentication(icvLength: 12)]),
        ExtensionCase(chain: [.authentication(icvLength: 16), .destinationOptions()]),
        ExtensionCase(chain: [.mobility(dataLength: 14)]),
        ExtensionCase(chain: [.routing(addresses: 1), .fragment(offset: 0, moreFragments: true, identification: 5)]),
        ExtensionCase(chain: Array(repeating: .destinationOptions(), count: 8)),
    ]

    @Test(arguments: extensionCases)
    func ipv6ExtensionChains(_ extensions: ExtensionCase) throws {
        let frame = PacketBuilder.tcp(src: "2001:db8::1", sport: 1111, dst: "2001:db8::2", dport: 2222,
                                      flags: .syn, payload: [7, 7, 7], ip: IPFields(ipv6Extensions: extensions.chain))
        let packet = try PacketBuilder.decode(frame)
        #expect(packet.ipProtocol == IPProtocolNumber.tcp)
        #expect(packet.srcPort == 1111 && packet.dstPort == 2222 && packet.hasTransport)
        #expect(packet.payloadOffset == Int32(14 + 40 + extensions.length + 20))
        #expect(packet.payloadLength == 3)
        #expect(packet.ipLength == Int32(40 + extensions.length + 23))
        let fragmentHeader = extensions.chain.contains { if case .fragment = $0 { true } else { false } }
        #expect(packet.isFragment == fragmentHeader && !packet.isLaterFragment)
    }

    @Test func ipv6NoNextHeader() throws {
        let frame = PacketBuilder.frame(PacketBuilder.ipv6Packet(
            src: PacketBuilder.address("2001:db8::1"), dst: PacketBuilder.address("2001:db8::2"), protocolNumber: 59,
            transport: [1, 2, 3, 4], fields: IPFields(ipv6Extensions: [.hopByHop()])))
        let packet = try PacketBuilder.decode(frame)
        #expect(packet.ipProtocol == 59 && !packet.hasTransport)
        #expect(packet.payloadOffset == 14 + 48 && packet.payloadLength == 4)
    }

    @Test(arguments: [6, 50, 132] as [UInt8])
    func unknownTransportKeepsAddresses(proto: UInt8) throws {
        let transport = proto == 6 ? [] : [UInt8](repeating: 1, count: 12)
        let frame = PacketBuilder.frame(PacketBuilder.ipv4Packet(
            src: PacketBuilder.address("10.0.0.1"), dst: PacketBuilder.address("10.0.0.2"),
            protocolNumber: proto == 6 ? 47 : proto, transport: transport))
        let packet = try PacketBuilder.decode(frame)
        #expect(!packet.hasTransport && packet.srcPort == 0)
        #expect(packet.srcIP == IPAddress("10.0.0.1") && packet.payloadLength == Int32(transport.count))
    }

    static let tcpOptionCases: [[TCPOption]] = [
        [],
        [.mss(1460)],
        TCPOption.linuxSYN,
        [.nop, .nop, .timestamps(value: 1, echo: 2)],
        [.mss(536), .windowScale(14), .sackPermitted],
        [.raw([UInt8](repeating: 1, count: 40))],
    ]

    @Test(arguments: tcpOptionCases)
    func tcpOptions(_ options: [TCPOption]) throws {
        let optionLength = TCPOption.encode(options).count
        let frame = PacketBuilder.tcp(src: "10.0.0.1", sport: 5, dst: "10.0.0.2", dport: 6, flags: .syn,
                                      options: options, payload: [0xAB])
        let packet = try PacketBuilder.decode(frame)
        #expect(packet.payloadOffset == Int32(14 + 20 + 20 + optionLength))
        #expect(packet.payloadLength == 1 && frame[Int(packet.payloadOffset)] == 0xAB)
    }

    @Test func everyTCPFlagBit() throws {
        for bit in 0..<8 {
            let flags = TCPFlags(rawValue: 1 << bit)
            let frame = PacketBuilder.tcp(src: "10.0.0.1", sport: 5, dst: "10.0.0.2", dport: 6, flags: flags)
            #expect(try PacketBuilder.decode(frame).tcpFlags == flags.rawValue)
        }
    }

    struct ICMPCase: Sendable, CustomStringConvertible {
        var name: String
        var frame: [UInt8]
        var type: UInt8
        var code: UInt8
        var payload: Int32
        var description: String { name }
    }

    static let icmpCases: [ICMPCase] = {
        let original = PacketBuilder.ipv4Packet(
            src: PacketBuilder.address("10.0.0.2"), dst: PacketBuilder.address("10.0.0.1"), protocolNumber: 17,
            transport: PacketBuilder.udpDatagram(src: PacketBuilder.address("10.0.0.2"),
                                                 dst: PacketBuilder.address("10.0.0.1"), sport: 9, dport: 33_434,
                                                 payload: [UInt8](repeating: 0, count: 20)))
        return [
            ICMPCase(name: "echo request", frame: PacketBuilder.icmpEcho(src: "10.0.0.1", dst: "10.0.0.2",
                                                                         payload: [1, 2, 3, 4]),
                     type: 8, code: 0, payload: 4),
            ICMPCase(name: "echo reply", frame: PacketBuilder.icmpEcho(src: "10.0.0.2", dst: "10.0.0.1",
                                                                       reply: true, payload: []),
                     type: 0, code: 0, payload: 0),
            ICMPCase(name: "timestamp", frame: PacketBuilder.icmpTimestamp(src: "10.0.0.1", dst: "10.0.0.2"),
                     type: 13, code: 0, payload: 12),
            ICMPCase(name: "timestamp reply", frame: PacketBuilder.icmpTimestamp(src: "10.0.0.2", dst: "10.0.0.1",
                                                                                  reply: true),
                     type: 14, code: 0, payload: 12),
            ICMPCase(name: "address mask", frame: PacketBuilder.icmpAddressMask(src: "10.0.0.1", dst: "10.0.0.2"),
                     type: 17, code: 0, payload: 4),
            ICMPCase(name: "port unreachable", frame: PacketBuilder.icmpUnreachable(src: "10.0.0.1",
                                                                                    dst: "10.0.0.2", code: 3,
                                                                                    original: original),
                     type: 3, code: 3, payload: 28),
            ICMPCase(name: "ICMPv6 echo", frame: PacketBuilder.icmpv6Echo(src: "2001:db8::1", dst: "2001:db8::2",
                                                                          payload: [9, 9]),
                     type: 128, code: 0, payload: 2),
            ICMPCase(name: "ICMPv6 echo reply", frame: PacketBuilder.icmpv6Echo(src: "2001:db8::2",
                                                                                dst: "2001:db8::1", reply: true),
                     type: 129, code: 0, payload: 12),
        ]
    }()

    @Test(arguments: icmpCases)
    func icmpTypeAndCodeAsPorts(_ icmp: ICMPCase) throws {
        let packet = try PacketBuilder.decode(icmp.frame)
        #expect(packet.icmpType == icmp.type && packet.icmpCode == icmp.code)
        #expect(packet.srcPort == UInt16(icmp.type) && packet.dstPort == UInt16(icmp.code))
        #expect(packet.hasTransport)
        #expect(packet.payloadLength == icmp.payload && packet.payloadCaptured == icmp.payload)
        #expect(packet.payloadOffset == packet.networkOffset + (packet.network == .ipv4 ? 28 : 48))
    }

    @Test func arpRequestAndReply() throws {
        let requester = MACAddress("02:00:00:00:00:66")!
        let request = try PacketBuilder.decode(PacketBuilder.arpRequest(senderIP: "10.0.0.66", senderMAC: requester,
                                                                        targetIP: "10.0.0.7", vlan: [5]))
        #expect(request.network == .arp && request.arpOperation == 1 && request.outerVLAN == 5)
        #expect(request.srcIP == IPAddress("10.0.0.66") && request.dstIP == IPAddress("10.0.0.7"))
        #expect(request.arpSenderMAC == requester && request.arpTargetMAC == .zero)
        #expect(request.dstMAC == .broadcast && request.srcMAC == requester && !request.hasTransport)
        let reply = try PacketBuilder.decode(PacketBuilder.arpReply(senderIP: "10.0.0.7", targetIP: "10.0.0.66",
                                                                    targetMAC: requester, link: .linuxSLL),
                                             linkType: .linuxSLL)
        #expect(reply.arpOperation == 2 && reply.arpTargetMAC == requester && reply.dstIP == IPAddress("10.0.0.66"))
        #expect(reply.networkOffset == 16)
    }

    @Test(arguments: SyntheticTraffic.malformedFrames)
    func malformedFrameThrowsItsError(_ malformed: MalformedFrame) {
        #expect(throws: malformed.expected) { try malformed.decode() }
    }

    @Test func malformedSetCoversEveryDecodeError() {
        let covered = Set(SyntheticTraffic.malformedFrames.map(\.expected))
        let missing = DecodeError.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "no malformed frame for \(missing)")
    }

    @Test func snaplenCutPacketDecodesHeaders() throws {
        let payload = [UInt8](repeating: 0x33, count: 1_000)
        let frame = PacketBuilder.tcp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, flags: .pshAck,
                                      payload: payload)
        let packet = try PacketBuilder.decode(Array(frame.prefix(96)), wireLength: frame.count)
        #expect(packet.payloadLength == 1_000 && packet.payloadCaptured == 96 - 54)
        #expect(packet.capturedLength == 96 && packet.wireLength == Int32(frame.count))
        #expect(packet.ipLength == 1_040 && packet.dstPort == 2)
        // The same packet on IPv6 with an extension header.
        let frame6 = PacketBuilder.udp(src: "2001:db8::1", sport: 1, dst: "2001:db8::2", dport: 2, payload: payload,
                                       ip: IPFields(ipv6Extensions: [.destinationOptions()]))
        let packet6 = try PacketBuilder.decode(Array(frame6.prefix(128)), wireLength: frame6.count)
        #expect(packet6.payloadLength == 1_000 && packet6.payloadCaptured == Int32(128 - (14 + 40 + 8 + 8)))
    }

    @Test func snaplenCutLaterFragment() throws {
        let fragments = SyntheticTraffic.fragmentedUDP(payloadSize: 3_000, fragmentSize: 1_480)
        let later = fragments[1]
        let packet = try later.cut(to: 60).decoded()
        #expect(packet.isLaterFragment && packet.payloadLength == 1_480 && packet.payloadCaptured == 60 - 34)
    }

    @Test func ethernetPaddingIsNotPayload() throws {
        let ack = PacketBuilder.padded(PacketBuilder.tcp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2))
        #expect(ack.count == 60)
        let packet = try PacketBuilder.decode(ack)
        #expect(packet.ipLength == 40 && packet.payloadLength == 0 && packet.payloadCaptured == 0)
        let udp = PacketBuilder.padded(PacketBuilder.udp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2,
                                                         payload: [1, 2]))
        let udpPacket = try PacketBuilder.decode(udp)
        #expect(udpPacket.payloadLength == 2 && udpPacket.payloadCaptured == 2)
        let icmp = PacketBuilder.padded(PacketBuilder.icmpEcho(src: "10.0.0.1", dst: "10.0.0.2", payload: []))
        #expect(try PacketBuilder.decode(icmp).payloadCaptured == 0)
        let noNext = PacketBuilder.padded(PacketBuilder.frame(PacketBuilder.ipv6Packet(
            src: PacketBuilder.address("fe80::1"), dst: PacketBuilder.address("fe80::2"), protocolNumber: 59,
            transport: [])))
        let noNextPacket = try PacketBuilder.decode(noNext)
        #expect(noNext.count == 60 && noNextPacket.payloadLength == 0 && noNextPacket.payloadCaptured == 0)
        // Some captures keep the 4-byte frame check sequence after the packet.
        let withFCS = PacketBuilder.tcp(src: "2001:db8::1", sport: 1, dst: "2001:db8::2", dport: 2,
                                        payload: [5, 5]) + [0xDE, 0xAD, 0xBE, 0xEF]
        let fcsPacket = try PacketBuilder.decode(withFCS)
        #expect(fcsPacket.payloadLength == 2 && fcsPacket.payloadCaptured == 2)
        let arp = PacketBuilder.padded(PacketBuilder.arpRequest(senderIP: "10.0.0.1", targetIP: "10.0.0.2"))
        #expect(try PacketBuilder.decode(arp).network == .arp)
    }

    @Test(arguments: [1_500, 30_000, 65_535])
    func gsoSizedIPv4OnNFQueueWithZeroChecksums(totalLength: Int) throws {
        let payload = [UInt8](repeating: 0x47, count: totalLength - 40)
        var packet = PacketBuilder.tcp(src: "10.0.0.1", sport: 443, dst: "10.0.0.2", dport: 50_000, flags: .pshAck,
                                       payload: payload, link: .nfqueue)
        packet[10] = 0; packet[11] = 0 // IPv4 header checksum not filled in
        packet[36] = 0; packet[37] = 0 // TCP checksum not filled in
        let decoded = try PacketBuilder.decode(packet, linkType: .nfqueue)
        #expect(decoded.ipLength == Int32(totalLength))
        #expect(decoded.payloadLength == Int32(totalLength - 40) && decoded.payloadCaptured == decoded.payloadLength)
    }

    @Test func gsoSizedIPv6OnNFQueue() throws {
        let payload = [UInt8](repeating: 0x47, count: 65_535 - 20)
        let packet = PacketBuilder.tcp(src: "2001:db8::1", sport: 443, dst: "2001:db8::2", dport: 50_000,
                                       flags: .pshAck, payload: payload, link: .nfqueue)
        let decoded = try PacketBuilder.decode(packet, linkType: .nfqueue)
        #expect(decoded.ipLength == 40 + 65_535 && decoded.payloadLength == Int32(payload.count))
    }

    @Test func wireLengthSmallerThanCaptureIsTreatedAsCapture() throws {
        let frame = PacketBuilder.udp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, payload: [1, 2, 3])
        let packet = try PacketBuilder.decode(frame, wireLength: 10)
        #expect(packet.payloadLength == 3)
    }

    @Test func inoutDecodeMatchesByValueAndResetsReusedPacket() throws {
        let packets = SyntheticTraffic.sshExchange() + SyntheticTraffic.arpScan(targets: ["10.0.0.3"])
            + SyntheticTraffic.ipv6Fragments() + SyntheticTraffic.icmpEcho(vlan: [3, 4])
        var reused = DecodedPacket()
        for packet in packets {
            let byValue = try packet.decoded()
            // (A closure `throws(DecodeError) -> Void` passed to `withUnsafeBytes` crashes Swift 6.3.1's IRGen.)
            let thrown = packet.bytes.withUnsafeBytes { raw -> DecodeError? in
                do throws(DecodeError) {
                    try PacketDecoder.decode(raw, wireLength: packet.wireLength, time: packet.time,
                                             linkType: packet.linkType, into: &reused)
                    return nil
                } catch {
                    return error
                }
            }
            #expect(thrown == nil)
            #expect(reused.network == byValue.network && reused.srcIP == byValue.srcIP)
            #expect(reused.dstIP == byValue.dstIP && reused.srcPort == byValue.srcPort)
            #expect(reused.dstPort == byValue.dstPort && reused.tcpFlags == byValue.tcpFlags)
            #expect(reused.tcpSeq == byValue.tcpSeq && reused.tcpAck == byValue.tcpAck)
            #expect(reused.outerVLAN == byValue.outerVLAN && reused.innerVLAN == byValue.innerVLAN)
            #expect(reused.isFragment == byValue.isFragment && reused.isLaterFragment == byValue.isLaterFragment)
            #expect(reused.hasTransport == byValue.hasTransport && reused.arpOperation == byValue.arpOperation)
            #expect(reused.payloadOffset == byValue.payloadOffset && reused.payloadLength == byValue.payloadLength)
            #expect(reused.payloadCaptured == byValue.payloadCaptured && reused.time == packet.time)
        }
    }

    @Test func sshBannersArriveAsPayload() throws {
        let packets = SyntheticTraffic.sshExchange(serverPort: 2_222)
        var payloads: [[UInt8]] = []
        for packet in packets {
            let decoded = try packet.decoded()
            #expect(decoded.srcPort == 2_222 || decoded.dstPort == 2_222)
            guard decoded.payloadCaptured > 0 else { continue }
            let start = Int(decoded.payloadOffset)
            payloads.append(Array(packet.bytes[start..<start + Int(decoded.payloadCaptured)]))
        }
        #expect(payloads.first == SyntheticTraffic.sshServerBanner)
        #expect(payloads.dropFirst().first == SyntheticTraffic.sshClientBanner)
    }
}
