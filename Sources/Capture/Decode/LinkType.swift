import NetCore
import Records
/// The link-layer framing of captured packets (libpcap's DLT values).
public enum LinkType: Int32, Sendable, CaseIterable {
    /// DLT_EN10MB: Ethernet II, possibly with stacked 802.1Q/802.1ad tags.
    case ethernet = 1
    /// DLT_RAW: raw IPv4 or IPv6, version from the first nibble (also seen as LINKTYPE_RAW 101).
    case raw = 12
    /// LINKTYPE_RAW as written in pcap files.
    case rawPcap = 101
    /// DLT_LINUX_SLL: Linux cooked capture v1 (16-byte header).
    case linuxSLL = 113
    /// DLT_LINUX_SLL2: Linux cooked capture v2 (20-byte header).
    case linuxSLL2 = 276
    /// DLT_IPV4: raw IPv4.
    case ipv4 = 228
    /// DLT_IPV6: raw IPv6.
    case ipv6 = 229
    /// NFQUEUE payloads: the network header first (IPv4 or IPv6), no link header.
    case nfqueue = -1
}
