import NetCore
import Records
import Capture

/// Builds complete, valid frames as `[UInt8]` for tests and benchmarks: link framing (Ethernet with VLAN tags,
/// Linux SLL/SLL2, raw IP, NFQUEUE), IPv4 with options and fragment fields or IPv6 with extension headers, and
/// TCP, UDP, ICMP, ICMPv6 or ARP, with valid checksums everywhere.
///
/// Addresses are strings (`"10.0.0.1"`, `"2001:db8::1"`): the family follows the address. MACs default to
/// `defaultMAC(for:)` of each IP, so every host has its own. Example:
/// ```
/// let syn = PacketBuilder.tcp(src: "10.0.0.1", sport: 1234, dst: "10.0.0.2", dport: 80, flags: [.syn])
/// ```
/// The layer functions (`tcpSegment`, `ipv4Packet`, `frame`, …) build single layers for anything else.
public enum PacketBuilder {
    /// A TCP segment in a frame.
    public static func tcp(src: String, sport: UInt16, dst: String, dport: UInt16, flags: TCPFlags = [.ack],
                           seq: UInt32 = 1, ack: UInt32 = 0, window: UInt16 = 65535, options: [TCPOption] = [],
                           payload: [UInt8] = [], vlan: [UInt16] = [], link: LinkType = .ethernet,
                           srcMAC: MACAddress? = nil, dstMAC: MACAddress? = nil,
                           ip: IPFields = IPFields()) -> [UInt8] {
        let source = address(src), destination = address(dst)
        let segment = tcpSegment(src: source, dst: destination, sport: sport, dport: dport, flags: flags, seq: seq,
                                 ack: ack, window: window, options: options, payload: payload)
        return wrap(segment, protocolNumber: IPProtocolNumber.tcp, source: source, destination: destination,
                    ip: ip, vlan: vlan, link: link, srcMAC: srcMAC, dstMAC: dstMAC)
    }

    /// A UDP datagram in a frame.
    public static func udp(src: String, sport: UInt16, dst: String, dport: UInt16, payload: [UInt8] = [],
                           vlan: [UInt16] = [], link: LinkType = .ethernet, srcMAC: MACAddress? = nil,
                           dstMAC: MACAddress? = nil, ip: IPFields = IPFields()) -> [UInt8] {
        let source = address(src), destination = address(dst)
        let datagram = udpDatagram(src: source, dst: destination, sport: sport, dport: dport, payload: payload)
        return wrap(datagram, protocolNumber: IPProtocolNumber.udp, source: source, destination: destination,
                    ip: ip, vlan: vlan, link: link, srcMAC: srcMAC, dstMAC: dstMAC)
    }

    /// Any ICMP (IPv4) message in a frame.
    public static func icmp(src: String, dst: String, type: UInt8, code: UInt8 = 0, rest: UInt32 = 0,
                            payload: [UInt8] = [], vlan: [UInt16] = [], link: LinkType = .ethernet,
                            srcMAC: MACAddress? = nil, dstMAC: MACAddress? = nil,
                            ip: IPFields = IPFields()) -> [UInt8] {
        let source = address(src), destination = address(dst)
        precondition(source.isIPv4, "PacketBuilder.icmp is IPv4; use icmpv6 for IPv6")
        let message = icmpMessage(type: type, code: code, rest: rest, payload: payload)
        return wrap(message, protocolNumber: IPProtocolNumber.icmp, source: source, destination: destination,
                    ip: ip, vlan: vlan, link: link, srcMAC: srcMAC, dstMAC: dstMAC)
    }

    /// An ICMP echo request (type 8) or reply (type 0).
    public static func icmpEcho(src: String, dst: String, identifier: UInt16 = 0x4242, sequence: UInt16 = 1,
                                reply: Bool = false, payload: [UInt8] = Array("slipsd-ping-payload".utf8),
                                vlan: [UInt16] = [], link: LinkType = .ethernet,
                                ip: IPFields = IPFields()) -> [UInt8] {
        icmp(src: src, dst: dst, type: reply ? 0 : 8, rest: UInt32(identifier) << 16 | UInt32(sequence),
             payload: payload, vlan: vlan, link: link, ip: ip)
    }

    /// An ICMP timestamp request (type 13) or reply (14): three 32-bit timestamps in milliseconds since midnight.
    public static func icmpTimestamp(src: String, dst: String, identifier: UInt16 = 0x4243, sequence: UInt16 = 1,
                                     reply: Bool = false, originate: UInt32 = 36_000_000,
                                     vlan: [UInt16] = [], link: LinkType = .ethernet) -> [UInt8] {
        var payload: [UInt8] = []
        payload.appendBE32(originate)
        payload.appendBE32(reply ? originate &+ 5 : 0)
        payload.appendBE32(reply ? originate &+ 6 : 0)
        return icmp(src: src, dst: dst, type: reply ? 14 : 13, rest: UInt32(identifier) << 16 | UInt32(sequence),
                    payload: payload, vlan: vlan, link: link)
    }

    /// An ICMP address-mask request (type 17) or reply (18) carrying `mask`.
    public static func icmpAddressMask(src: String, dst: String, identifier: UInt16 = 0x4244,
                                       sequence: UInt16 = 1, reply: Bool = false, mask: UInt32 = 0,
                                       vlan: [UInt16] = [], link: LinkType = .ethernet) -> [UInt8] {
        var payload: [UInt8] = []
        payload.appendBE32(mask)
        return icmp(src: src, dst: dst, type: reply ? 18 : 17, rest: UInt32(identifier) << 16 | UInt32(sequence),
                    payload: payload, vlan: vlan, link: link)
    }

    /// An ICMP destination unreachable (type 3) quoting the IP header and first 8 transport bytes of
    /// `original` (an IP packet without link framing).
    public static func icmpUnreachable(src: String, dst: String, code: UInt8 = 3, original: [UInt8],
                                       vlan: [UInt16] = [], link: LinkType = .ethernet) -> [UInt8] {
        let headerLength = Int((original.first ?? 0x45) & 0x0F) * 4
        let quoted = Array(original.prefix(headerLength + 8))
        return icmp(src: src, dst: dst, type: 3, code: code, payload: quoted, vlan: vlan, link: link)
    }

    /// Any ICMPv6 message in a frame.
    public static func icmpv6(src: String, dst: String, type: UInt8, code: UInt8 = 0, rest: UInt32 = 0,
                              payload: [UInt8] = [], vlan: [UInt16] = [], link: LinkType = .ethernet,
                              ip: IPFields = IPFields()) -> [UInt8] {
        let source = address(src), destination = address(dst)
        precondition(!source.isIPv4, "PacketBuilder.icmpv6 is IPv6; use icmp for IPv4")
        let message = icmpv6Message(src: source, dst: destination, type: type, code: code, rest: rest,
                                    payload: payload)
        return wrap(message, protocolNumber: IPProtocolNumber.icmpv6, source: source, destination: destination,
                    ip: ip, vlan: vlan, link: link, srcMAC: nil, dstMAC: nil)
    }

    /// An ICMPv6 echo request (type 128) or reply (129).
    public static func icmpv6Echo(src: String, dst: String, identifier: UInt16 = 0x4245, sequence: UInt16 = 1,
                                  reply: Bool = false, payload: [UInt8] = Array("slipsd-ping6".utf8),
                                  vlan: [UInt16] = [], link: LinkType = .ethernet,
                                  ip: IPFields = IPFields()) -> [UInt8] {
        icmpv6(src: src, dst: dst, type: reply ? 129 : 128, rest: UInt32(identifier) << 16 | UInt32(sequence),
               payload: payload, vlan: vlan, link: link, ip: ip)
    }

    /// An ARP request ("who has `targetIP`, tell `senderIP`") to the broadcast MAC.
    public static func arpRequest(senderIP: String, senderMAC: MACAddress? = nil, targetIP: String,
                                  vlan: [UInt16] = [], link: LinkType = .ethernet) -> [UInt8] {
        let sender = address(senderIP)
        let mac = senderMAC ?? defaultMAC(for: sender)
        let message = arpMessage(operation: 1, senderMAC: mac, senderIP: sender, targetMAC: .zero,
                                 targetIP: address(targetIP))
        return frame(message, etherType: 0x0806, link: link, vlan: vlan, srcMAC: mac, dstMAC: .broadcast)
    }

    /// An ARP reply ("`senderIP` is at `senderMAC`") sent to the requester.
    public static func arpReply(senderIP: String, senderMAC: MACAddress? = nil, targetIP: String,
                                targetMAC: MACAddress? = nil, vlan: [UInt16] = [],
                                link: LinkType = .ethernet) -> [UInt8] {
        let sender = address(senderIP), target = address(targetIP)
        let mac = senderMAC ?? defaultMAC(for: sender)
        let requester = targetMAC ?? defaultMAC(for: target)
        let message = arpMessage(operation: 2, senderMAC: mac, senderIP: sender, targetMAC: requester,
                                 targetIP: target)
        return frame(message, etherType: 0x0806, link: link, vlan: vlan, srcMAC: mac, dstMAC: requester)
    }

    /// Splits `transport` (a complete TCP/UDP/ICMP message with its checksum) into IP fragments of at most
    /// `fragmentSize` transport bytes each (rounded down to a multiple of 8), framed for `link`.
    ///
    /// IPv4: MF and fragment offset in the header, DF clear, the same identification; the options of `ip` are
    /// copied into every fragment. IPv6: the extension headers of `ip`, then a fragment header with
    /// `ip.identification`.
    public static func ipFragments(src: String, dst: String, protocolNumber: UInt8, transport: [UInt8],
                                   fragmentSize: Int, ip: IPFields = IPFields(), vlan: [UInt16] = [],
                                   link: LinkType = .ethernet) -> [[UInt8]] {
        let source = address(src), destination = address(dst)
        let step = max(8, fragmentSize / 8 * 8)
        var frames: [[UInt8]] = []
        var offset = 0
        while offset < transport.count {
            let end = min(offset + step, transport.count)
            let chunk = Array(transport[offset..<end])
            let more = end < transport.count
            var fields = ip
            let network: [UInt8]
            if source.isIPv4 {
                fields.dontFragment = false
                fields.moreFragments = more
                fields.fragmentOffset = offset
                network = ipv4Packet(src: source, dst: destination, protocolNumber: protocolNumber,
                                     transport: chunk, fields: fields)
            } else {
                fields.ipv6Extensions.append(.fragment(offset: offset, moreFragments: more,
                                                       identification: UInt32(ip.identification)))
                network = ipv6Packet(src: source, dst: destination, protocolNumber: protocolNumber,
                                     transport: chunk, fields: fields)
            }
            frames.append(frame(network, link: link, vlan: vlan, srcMAC: defaultMAC(for: source),
                                dstMAC: defaultMAC(for: destination)))
            offset = end
        }
        return frames
    }

    /// A UDP datagram with `payload`, split into IP fragments (see `ipFragments`).
    public static func udpFragments(src: String, sport: UInt16, dst: String, dport: UInt16, payload: [UInt8],
                                    fragmentSize: Int, ip: IPFields = IPFields(), vlan: [UInt16] = [],
                                    link: LinkType = .ethernet) -> [[UInt8]] {
        let datagram = udpDatagram(src: address(src), dst: address(dst), sport: sport, dport: dport,
                                   payload: payload)
        return ipFragments(src: src, dst: dst, protocolNumber: IPProtocolNumber.udp, transport: datagram,
                           fragmentSize: fragmentSize, ip: ip, vlan: vlan, link: link)
    }

    /// Wraps a transport message in IP and link framing.
    static func wrap(_ transport: [UInt8], protocolNumber: UInt8, source: IPAddress, destination: IPAddress,
                     ip: IPFields, vlan: [UInt16], link: LinkType, srcMAC: MACAddress?,
                     dstMAC: MACAddress?) -> [UInt8] {
        let network = ipPacket(src: source, dst: destination, protocolNumber: protocolNumber,
                               transport: transport, fields: ip)
        return frame(network, link: link, vlan: vlan, srcMAC: srcMAC ?? defaultMAC(for: source),
                     dstMAC: dstMAC ?? defaultMAC(for: destination))
    }
}
