import NetCore
import Records
/// What the decoder learned about one packet: addresses, ports, flags and lengths, by value.
///
/// Trivially copyable and `Sendable`; it holds no pointer into the capture buffer, only offsets, so it can never
/// outlive the bytes it describes by accident. Produced on the capture thread, consumed there by the flow table.
public struct DecodedPacket: Sendable, BitwiseCopyable {
    /// What the network layer of the packet is.
    public enum Network: UInt8, Sendable, BitwiseCopyable {
        /// No network layer decoded (the initial value; the decoder throws `unknownEtherType` for non-IP, non-ARP
        /// frames, counted apart from malformations by `DecodeError.isMalformation`).
        case other = 0
        case ipv4 = 4
        case ipv6 = 6
        case arp = 1
    }

    /// Capture time.
    public var time = PacketTime(microseconds: 0)
    /// Bytes on the wire (`pcap_pkthdr.len`), which may exceed what was captured.
    public var wireLength: Int32 = 0
    /// Bytes available in the buffer (`caplen`).
    public var capturedLength: Int32 = 0

    /// Source and destination MAC; zero when the link type has none (raw IP, NFQUEUE without hw header).
    public var srcMAC = MACAddress(0)
    public var dstMAC = MACAddress(0)
    /// Outer and inner VLAN ids (0 when untagged); the flow key uses both.
    public var outerVLAN: UInt16 = 0
    public var innerVLAN: UInt16 = 0

    public var network: Network = .other
    public var srcIP = IPAddress(ipv4: 0)
    public var dstIP = IPAddress(ipv4: 0)
    /// IP protocol number of the transport (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …) after extension headers.
    public var ipProtocol: UInt8 = 0
    /// TTL / hop limit.
    public var ttl: UInt8 = 0
    /// Length of the IP packet as the header states it (IPv4 total length; IPv6 40 + payload length).
    public var ipLength: Int32 = 0
    /// Offset of the network header from the start of the buffer.
    public var networkOffset: Int32 = 0

    /// True when the packet is an IP fragment (more-fragments set or offset non-zero).
    public var isFragment: Bool = false
    /// True for a non-first fragment: it has no transport header, so ports and flags are absent.
    public var isLaterFragment: Bool = false
    /// Fragments only (`isFragment`): the identification (IPv4: 16 bits; IPv6: the fragment header's 32 bits).
    public var fragmentID: UInt32 = 0
    /// Fragments only: the fragment's offset in the original payload, in bytes (a multiple of 8).
    public var fragmentOffset: UInt16 = 0
    /// Fragments only: the more-fragments flag.
    public var moreFragments: Bool = false
    /// Fragments only: the next header the fragment header names (IPv6); the protocol (IPv4).
    public var fragmentNextHeader: UInt8 = 0
    /// Fragments only: where the fragment's data starts in the buffer (after the IPv4 header or the IPv6
    /// fragment header); the data ends at `networkOffset + ipLength`.
    public var fragmentDataOffset: Int32 = 0

    /// Transport ports (ICMP: type in `srcPort`, code in `dstPort`, as Zeek does).
    public var srcPort: UInt16 = 0
    public var dstPort: UInt16 = 0
    /// TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80).
    public var tcpFlags: UInt8 = 0
    public var tcpSeq: UInt32 = 0
    public var tcpAck: UInt32 = 0
    public var tcpWindow: UInt16 = 0
    /// True when the transport header was decoded (false for later fragments and non-TCP/UDP/ICMP protocols).
    public var hasTransport: Bool = false

    /// ICMP / ICMPv6 type and code.
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0

    /// ARP operation (1 request, 2 reply); valid when `network == .arp`. For ARP, `srcIP`/`dstIP` hold the
    /// sender and target protocol addresses and `arpSenderMAC`/`arpTargetMAC` the hardware addresses.
    public var arpOperation: UInt16 = 0
    public var arpSenderMAC = MACAddress(0)
    public var arpTargetMAC = MACAddress(0)

    /// Offset and length of the transport payload inside the captured buffer (length may be cut by the snaplen:
    /// `payloadLength` is what the headers claim, `payloadCaptured` what is in the buffer).
    public var payloadOffset: Int32 = 0
    public var payloadLength: Int32 = 0
    public var payloadCaptured: Int32 = 0

    /// Creates an empty packet description; the decoder fills it.
    public init() {}
}

/// TCP flag bits as they appear in the header's flags byte.
public enum TCPFlag {
    public static let fin: UInt8 = 0x01
    public static let syn: UInt8 = 0x02
    public static let rst: UInt8 = 0x04
    public static let psh: UInt8 = 0x08
    public static let ack: UInt8 = 0x10
    public static let urg: UInt8 = 0x20
}

/// IP protocol numbers slipsd decodes.
public enum IPProtocolNumber {
    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let icmpv6: UInt8 = 58
}
