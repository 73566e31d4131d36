import NetCore
import Records
import Capture

/// A frame paired with the `DecodeError` decoding it must throw, for table-driven tests.
public struct MalformedFrame: Sendable, CustomStringConvertible {
    /// What is wrong, in a few words.
    public let name: String
    /// The captured bytes.
    public let bytes: [UInt8]
    /// The libpcap DLT / LINKTYPE value of the framing (not always a `LinkType`: that is one of the errors).
    public let dataLinkType: Int32
    /// Length on the wire.
    public let wireLength: Int
    /// The error decoding must throw.
    public let expected: DecodeError

    /// Creates an entry; `wireLength` defaults to the number of bytes.
    public init(_ name: String, _ bytes: [UInt8], link: LinkType = .ethernet, dataLinkType: Int32? = nil,
                wireLength: Int? = nil, expected: DecodeError) {
        self.name = name
        self.bytes = bytes
        self.dataLinkType = dataLinkType ?? link.rawValue
        self.wireLength = wireLength ?? bytes.count
        self.expected = expected
    }

    /// The framing, or nil when `dataLinkType` is not one slipsd knows.
    public var linkType: LinkType? { LinkType(rawValue: dataLinkType) }

    /// Decodes the frame through `PacketDecoder.decode(_:wireLength:time:dataLinkType:)`.
    public func decode() throws(DecodeError) -> DecodedPacket {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DecodeError) -> DecodedPacket in
                try PacketDecoder.decode(raw, wireLength: wireLength, time: .zero, dataLinkType: dataLinkType)
            }
        }
        return try result.get()
    }

    public var description: String { "\(expected.label): \(name)" }
}

extension SyntheticTraffic {
    /// Malformed packets of every kind: at least one frame per `DecodeError` case, each with the error it must
    /// produce. The valid frames they are cut from are built with `PacketBuilder`.
    public static var malformedFrames: [MalformedFrame] {
        let a = PacketBuilder.address("10.0.0.1"), b = PacketBuilder.address("10.0.0.2")
        let a6 = PacketBuilder.address("2001:db8::1"), b6 = PacketBuilder.address("2001:db8::2")
        let tcpFrame = PacketBuilder.tcp(src: "10.0.0.1", sport: 1234, dst: "10.0.0.2", dport: 80, flags: .syn,
                                         payload: Array(repeating: 0x41, count: 10))
        let tcp6Frame = PacketBuilder.tcp(src: "2001:db8::1", sport: 1234, dst: "2001:db8::2", dport: 80,
                                          flags: .syn)
        let arpFrame = PacketBuilder.arpRequest(senderIP: "10.0.0.1", targetIP: "10.0.0.9")
        let segment = PacketBuilder.tcpSegment(src: a, dst: b, sport: 1234, dport: 80, flags: .ack, seq: 1, ack: 1)

        func ipv4(_ proto: UInt8, _ transport: [UInt8], totalLength: UInt16? = nil) -> [UInt8] {
            PacketBuilder.frame(PacketBuilder.ipv4Packet(src: a, dst: b, protocolNumber: proto, transport: transport,
                                                         totalLengthOverride: totalLength))
        }
        func ipv6(_ proto: UInt8, _ transport: [UInt8], fields: IPFields = IPFields(),
                  payloadLength: UInt16? = nil) -> [UInt8] {
            PacketBuilder.frame(PacketBuilder.ipv6Packet(src: a6, dst: b6, protocolNumber: proto,
                                                         transport: transport, fields: fields,
                                                         payloadLengthOverride: payloadLength))
        }
        func patched(_ frame: [UInt8], _ offset: Int, _ value: UInt8) -> [UInt8] {
            var copy = frame
            copy[offset] = value
            return copy
        }
        let ipv4Packet = Array(tcpFrame[14...])
        let ipv6Packet = Array(tcp6Frame[14...])

        return [
            MalformedFrame("802.11 link type", tcpFrame, dataLinkType: 105, expected: .unsupportedLinkType),
            MalformedFrame("13 bytes of Ethernet", Array(tcpFrame.prefix(13)), expected: .ethernetTruncated),
            MalformedFrame("empty Ethernet frame", [], expected: .ethernetTruncated),
            MalformedFrame("802.1Q tag cut after its TCI",
                           Array(PacketBuilder.frame(ipv4Packet, vlan: [7]).prefix(16)), expected: .vlanTruncated),
            MalformedFrame("five stacked VLAN tags", PacketBuilder.frame(ipv4Packet, vlan: [1, 2, 3, 4, 5]),
                           expected: .vlanTooDeep),
            MalformedFrame("15 bytes of SLL", Array(PacketBuilder.frame(ipv4Packet, link: .linuxSLL).prefix(15)),
                           link: .linuxSLL, expected: .sllTruncated),
            MalformedFrame("19 bytes of SLL2", Array(PacketBuilder.frame(ipv4Packet, link: .linuxSLL2).prefix(19)),
                           link: .linuxSLL2, expected: .sllTruncated),
            MalformedFrame("ARP cut at 20 bytes", Array(arpFrame.prefix(34)), expected: .arpTruncated),
            MalformedFrame("ARP cut at 6 bytes", Array(arpFrame.prefix(20)), expected: .arpTruncated),
            MalformedFrame("ARP over IEEE 802 hardware (htype 6)", patched(arpFrame, 15, 6),
                           expected: .arpUnsupported),
            MalformedFrame("ARP for IPv6 protocol type", patched(patched(arpFrame, 16, 0x86), 17, 0xDD),
                           expected: .arpUnsupported),
            MalformedFrame("19 bytes of IPv4", Array(tcpFrame.prefix(33)), expected: .ipv4Truncated),
            MalformedFrame("IPv4 options cut (IHL 6, 20 bytes captured)",
                           patched(Array(tcpFrame.prefix(34)), 14, 0x46), wireLength: 34 + 4,
                           expected: .ipv4Truncated),
            MalformedFrame("EtherType IPv4 carrying IPv6", PacketBuilder.frame(ipv6Packet, etherType: 0x0800),
                           expected: .ipv4BadVersion),
            MalformedFrame("raw IP with version 5", patched(ipv4Packet, 0, 0x55), link: .raw,
                           expected: .ipv4BadVersion),
            MalformedFrame("IPv4 IHL 4", patched(tcpFrame, 14, 0x44), expected: .ipv4HeaderTooShort),
            MalformedFrame("IPv4 total length 19", ipv4(6, segment, totalLength: 19),
                           expected: .ipv4TotalLengthTooShort),
            MalformedFrame("IPv4 total length 100 bytes beyond the wire",
                           ipv4(6, segment, totalLength: UInt16(20 + segment.count + 100)),
                           expected: .ipv4TotalLengthBeyondCapture),
            MalformedFrame("39 bytes of IPv6", Array(tcp6Frame.prefix(14 + 39)), expected: .ipv6Truncated),
            MalformedFrame("EtherType IPv6 carrying IPv4", PacketBuilder.frame(ipv4Packet, etherType: 0x86DD),
                           expected: .ipv6BadVersion),
            MalformedFrame("IPv6 payload length 100 bytes beyond the wire",
                           ipv6(6, segment, payloadLength: UInt16(segment.count + 100)),
                           expected: .ipv6PayloadBeyondCapture),
            MalformedFrame("hop-by-hop header longer than the packet",
                           patched(ipv6(59, [], fields: IPFields(ipv6Extensions: [.hopByHop()])), 14 + 41, 9),
                           expected: .ipv6ExtensionTruncated),
            MalformedFrame("routing header announced, payload length 0", ipv6(43, [], payloadLength: 0),
                           expected: .ipv6ExtensionTruncated),
            MalformedFrame("hop-by-hop header outside a zero payload length, trailer bytes after",
                           ipv6(59, [], fields: IPFields(ipv6Extensions: [.hopByHop()]), payloadLength: 0),
                           expected: .ipv6ExtensionTruncated),
            MalformedFrame("nine destination-options headers",
                           ipv6(6, segment, fields: IPFields(ipv6Extensions: Array(
                               repeating: .destinationOptions(), count: 9))),
                           expected: .ipv6TooManyExtensions),
            MalformedFrame("TCP header of 10 bytes", ipv4(6, Array(segment.prefix(10))), expected: .tcpTruncated),
            MalformedFrame("TCP over IPv6 with 19 bytes", ipv6(6, Array(segment.prefix(19))),
                           expected: .tcpTruncated),
            MalformedFrame("TCP data offset 4", ipv4(6, PacketBuilder.tcpSegment(
                src: a, dst: b, sport: 1, dport: 2, flags: .ack, seq: 1, ack: 1, dataOffsetOverride: 4)),
                           expected: .tcpHeaderTooShort),
            MalformedFrame("TCP data offset 15 with no options", ipv4(6, PacketBuilder.tcpSegment(
                src: a, dst: b, sport: 1, dport: 2, flags: .ack, seq: 1, ack: 1, payload: [1, 2, 3, 4],
                dataOffsetOverride: 15)), expected: .tcpOptionsTruncated),
            MalformedFrame("UDP header of 6 bytes", ipv4(17, [0, 53, 0, 53, 0, 8]), expected: .udpTruncated),
            MalformedFrame("UDP length 4", ipv4(17, PacketBuilder.udpDatagram(
                src: a, dst: b, sport: 53, dport: 53, payload: [1, 2, 3], lengthOverride: 4)),
                           expected: .udpLengthInvalid),
            MalformedFrame("UDP length beyond the IP payload", ipv4(17, PacketBuilder.udpDatagram(
                src: a, dst: b, sport: 53, dport: 53, payload: [1, 2, 3], lengthOverride: 200)),
                           expected: .udpLengthInvalid),
            MalformedFrame("ICMP header of 4 bytes", ipv4(1, [8, 0, 0, 0]), expected: .icmpTruncated),
            MalformedFrame("ICMPv6 header of 4 bytes", ipv6(58, [128, 0, 0, 0]), expected: .icmpv6Truncated),
            MalformedFrame("LLDP frame (EtherType 0x88cc)",
                           PacketBuilder.frame(Array(repeating: 0, count: 46), etherType: 0x88CC),
                           expected: .unknownEtherType),
            MalformedFrame("802.3 length field instead of an EtherType",
                           PacketBuilder.frame(Array(repeating: 0x42, count: 46), etherType: 46),
                           expected: .unknownEtherType),
            MalformedFrame("SLL with protocol 0x0004 (802.2 LLC)",
                           PacketBuilder.frame(Array(repeating: 0x42, count: 40), etherType: 0x0004,
                                               link: .linuxSLL), link: .linuxSLL, expected: .unknownEtherType),
        ]
    }
}
