import NetCore
import Records
import Capture

/// Layer-by-layer builders: each returns the bytes of one layer (with valid checksums), so tests can assemble
/// frames the high-level functions do not cover, or damage a field after building.
extension PacketBuilder {
    // MARK: Addresses

    /// Parses an IPv4 or IPv6 address; traps on a typo (test input).
    public static func address(_ text: String) -> IPAddress {
        guard let address = IPAddress(text) else { preconditionFailure("PacketBuilder: bad IP address '\(text)'") }
        return address
    }

    /// A locally administered MAC derived from `address`, so each host has a stable, distinct MAC
    /// (`02:` followed by the low 40 bits of the address).
    public static func defaultMAC(for address: IPAddress) -> MACAddress {
        MACAddress(0x02_00_0000_0000 | ((address.low ^ address.high) & 0xFF_FFFF_FFFF))
    }

    // MARK: Transport

    /// A TCP header with options and payload; the checksum covers the pseudo-header of `src`/`dst`.
    /// - Parameter dataOffsetOverride: writes this value (in 32-bit words) instead of the real header length,
    ///   to build malformed segments.
    public static func tcpSegment(src: IPAddress, dst: IPAddress, sport: UInt16, dport: UInt16,
                                  flags: TCPFlags, seq: UInt32, ack: UInt32, window: UInt16 = 65535,
                                  options: [TCPOption] = [], payload: [UInt8] = [], urgentPointer: UInt16 = 0,
                                  dataOffsetOverride: UInt8? = nil) -> [UInt8] {
        let optionBytes = TCPOption.encode(options)
        let headerLength = 20 + optionBytes.count
        precondition(headerLength <= 60, "PacketBuilder: TCP options longer than 40 bytes")
        var out: [UInt8] = []
        out.reserveCapacity(headerLength + payload.count)
        out.appendBE16(sport)
        out.appendBE16(dport)
        out.appendBE32(seq)
        out.appendBE32(ack)
        out.append((dataOffsetOverride ?? UInt8(headerLength / 4)) << 4)
        out.append(flags.rawValue)
        out.appendBE16(window)
        out.appendBE16(0) // checksum
        out.appendBE16(urgentPointer)
        out.append(contentsOf: optionBytes)
        out.append(contentsOf: payload)
        let pseudo = InternetChecksum.pseudoHeaderSum(source: src, destination: dst,
                                                      protocolNumber: IPProtocolNumber.tcp, length: out.count)
        out.setBE16(InternetChecksum.finish(InternetChecksum.add(out, to: pseudo)), at: 16)
        return out
    }

    /// A UDP header and payload with a valid checksum (0xFFFF when the sum is zero).
    /// - Parameter lengthOverride: writes this length field instead of the real one (malformed datagrams).
    public static func udpDatagram(src: IPAddress, dst: IPAddress, sport: UInt16, dport: UInt16,
                                   payload: [UInt8] = [], lengthOverride: UInt16? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + payload.count)
        out.appendBE16(sport)
        out.appendBE16(dport)
        out.appendBE16(lengthOverride ?? UInt16(truncatingIfNeeded: 8 + payload.count))
        out.appendBE16(0)
        out.append(contentsOf: payload)
        let pseudo = InternetChecksum.pseudoHeaderSum(source: src, destination: dst,
                                                      protocolNumber: IPProtocolNumber.udp, length: out.count)
        let sum = InternetChecksum.finish(InternetChecksum.add(out, to: pseudo))
        out.setBE16(sum == 0 ? 0xFFFF : sum, at: 6)
        return out
    }

    /// An ICMP message: type, code, checksum, the 4-byte rest of header, payload.
    public static func icmpMessage(type: UInt8, code: UInt8, rest: UInt32 = 0, payload: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = [type, code, 0, 0]
        out.appendBE32(rest)
        out.append(contentsOf: payload)
        out.setBE16(InternetChecksum.checksum(out), at: 2)
        return out
    }

    /// An ICMPv6 message; the checksum covers the IPv6 pseudo-header.
    public static func icmpv6Message(src: IPAddress, dst: IPAddress, type: UInt8, code: UInt8, rest: UInt32 = 0,
                                     payload: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = [type, code, 0, 0]
        out.appendBE32(rest)
        out.append(contentsOf: payload)
        let pseudo = InternetChecksum.pseudoHeaderSum(source: src, destination: dst,
                                                      protocolNumber: IPProtocolNumber.icmpv6, length: out.count)
        out.setBE16(InternetChecksum.finish(InternetChecksum.add(out, to: pseudo)), at: 2)
        return out
    }

    // MARK: Network

    /// An IPv4 or IPv6 packet (by the family of `src`) around `transport`.
    public static func ipPacket(src: IPAddress, dst: IPAddress, protocolNumber: UInt8, transport: [UInt8],
                                fields: IPFields = IPFields()) -> [UInt8] {
        precondition(src.isIPv4 == dst.isIPv4, "PacketBuilder: mixed IPv4 and IPv6 addresses")
        return src.isIPv4
            ? ipv4Packet(src: src, dst: dst, protocolNumber: protocolNumber, transport: transport, fields: fields)
            : ipv6Packet(src: src, dst: dst, protocolNumber: protocolNumber, transport: transport, fields: fields)
    }

    /// An IPv4 header (with options and a valid header checksum) followed by `transport`.
    /// - Parameter totalLengthOverride: writes this total length instead of the real one (malformed packets).
    public static func ipv4Packet(src: IPAddress, dst: IPAddress, protocolNumber: UInt8, transport: [UInt8],
                                  fields: IPFields = IPFields(), totalLengthOverride: UInt16? = nil) -> [UInt8] {
        var options = fields.ipv4Options
        while options.count % 4 != 0 { options.append(0) }
        precondition(options.count <= 40, "PacketBuilder: IPv4 options longer than 40 bytes")
        let headerLength = 20 + options.count
        var out: [UInt8] = []
        out.reserveCapacity(headerLength + transport.count)
        out.append(0x40 | UInt8(headerLength / 4))
        out.append(fields.tos)
        out.appendBE16(totalLengthOverride ?? UInt16(truncatingIfNeeded: headerLength + transport.count))
        out.appendBE16(fields.identification)
        var fragment = UInt16(truncatingIfNeeded: fields.fragmentOffset / 8) & 0x1FFF
        if fields.dontFragment { fragment |= 0x4000 }
        if fields.moreFragments { fragment |= 0x2000 }
        out.appendBE16(fragment)
        out.append(fields.ttl)
        out.append(protocolNumber)
        out.appendBE16(0)
        out.append(address: src)
        out.append(address: dst)
        out.append(contentsOf: options)
        out.setBE16(InternetChecksum.checksum(out), at: 10)
        out.append(contentsOf: transport)
        return out
    }

    /// An IPv6 header, the extension headers of `fields` (linked by next-header values), then `transport`.
    public static func ipv6Packet(src: IPAddress, dst: IPAddress, protocolNumber: UInt8, transport: [UInt8],
                                  fields: IPFields = IPFields(), payloadLengthOverride: UInt16? = nil) -> [UInt8] {
        var extensions: [UInt8] = []
        let chain = fields.ipv6Extensions
        for (index, header) in chain.enumerated() {
            let next = index + 1 < chain.count ? chain[index + 1].protocolNumber : protocolNumber
            extensions.append(contentsOf: header.encode(next: next))
        }
        let first = chain.first?.protocolNumber ?? protocolNumber
        var out: [UInt8] = []
        out.reserveCapacity(40 + extensions.count + transport.count)
        out.appendBE32(6 << 28 | UInt32(fields.tos) << 20 | fields.flowLabel & 0xF_FFFF)
        out.appendBE16(payloadLengthOverride ?? UInt16(truncatingIfNeeded: extensions.count + transport.count))
        out.append(first)
        out.append(fields.ttl)
        out.append(address: src)
        out.append(address: dst)
        out.append(contentsOf: extensions)
        out.append(contentsOf: transport)
        return out
    }

    /// An Ethernet/IPv4 ARP message (28 bytes).
    public static func arpMessage(operation: UInt16, senderMAC: MACAddress, senderIP: IPAddress,
                                  targetMAC: MACAddress, targetIP: IPAddress) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBE16(1)
        out.appendBE16(0x0800)
        out.append(6)
        out.append(4)
        out.appendBE16(operation)
        out.append(mac: senderMAC)
        out.append(address: senderIP)
        out.append(mac: targetMAC)
        out.append(address: targetIP)
        return out
    }

    // MARK: Link

    /// The EtherType announcing `network`: from its first nibble (IPv4 0x0800, IPv6 0x86DD).
    public static func etherType(of network: [UInt8]) -> UInt16 {
        (network.first ?? 0) >> 4 == 6 ? 0x86DD : 0x0800
    }

    /// Wraps a network-layer packet in the framing of `link`.
    ///
    /// - `.ethernet`: destination MAC, source MAC, the VLAN tags (outermost first; TPID 0x88a8 for outer tags of
    ///   a stack and 0x8100 for the innermost, unless `vlanTPIDs` says otherwise), the EtherType.
    /// - `.linuxSLL` / `.linuxSLL2`: the cooked header with `srcMAC` as the 6-byte link-layer address; VLAN tags,
    ///   if any, follow the header as libpcap re-inserts them.
    /// - `.raw`, `.rawPcap`, `.ipv4`, `.ipv6`, `.nfqueue`: the network packet alone (no VLAN possible).
    public static func frame(_ network: [UInt8], etherType: UInt16? = nil, link: LinkType = .ethernet,
                             vlan: [UInt16] = [], vlanTPIDs: [UInt16]? = nil,
                             srcMAC: MACAddress = MACAddress(0x02_00_00_00_00_01),
                             dstMAC: MACAddress = MACAddress(0x02_00_00_00_00_02)) -> [UInt8] {
        let type = etherType ?? Self.etherType(of: network)
        var tags: [UInt8] = []
        let tpids = vlanTPIDs ?? vlan.indices.map { $0 == vlan.count - 1 ? 0x8100 : 0x88A8 }
        precondition(tpids.count == vlan.count, "PacketBuilder: one TPID per VLAN tag")
        // Tags are written as TPID + TCI pairs; the first TPID takes the EtherType slot of the outer header.
        for (index, id) in vlan.enumerated() {
            if index > 0 { tags.appendBE16(tpids[index]) }
            tags.appendBE16(id & 0x0FFF)
        }
        let firstType = vlan.isEmpty ? type : tpids[0]
        if !vlan.isEmpty { tags.appendBE16(type) }

        var out: [UInt8] = []
        out.reserveCapacity(24 + tags.count + network.count)
        switch link {
        case .ethernet:
            out.append(mac: dstMAC)
            out.append(mac: srcMAC)
            out.appendBE16(firstType)
        case .linuxSLL:
            out.appendBE16(0)      // packet type: to us
            out.appendBE16(1)      // ARPHRD_ETHER
            out.appendBE16(6)      // address length
            out.append(mac: srcMAC)
            out.append(contentsOf: [0, 0])
            out.appendBE16(firstType)
        case .linuxSLL2:
            out.appendBE16(firstType)
            out.appendBE16(0)      // reserved
            out.appendBE32(2)      // interface index
            out.appendBE16(1)      // ARPHRD_ETHER
            out.append(0)          // packet type: to us
            out.append(6)          // address length
            out.append(mac: srcMAC)
            out.append(contentsOf: [0, 0])
        case .raw, .rawPcap, .ipv4, .ipv6, .nfqueue:
            precondition(vlan.isEmpty, "PacketBuilder: link type \(link) carries no VLAN tags")
        }
        out.append(contentsOf: tags)
        out.append(contentsOf: network)
        return out
    }

    /// `frame` padded with zero bytes to `minimum` bytes, as an Ethernet NIC pads short frames (60 bytes
    /// without the FCS).
    public static func padded(_ frame: [UInt8], to minimum: Int = 60) -> [UInt8] {
        frame.count >= minimum ? frame : frame + [UInt8](repeating: 0, count: minimum - frame.count)
    }
}
