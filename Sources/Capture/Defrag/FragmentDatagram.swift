import NetCore

/// One datagram under reassembly in `FragmentReassembler`'s preallocated table: its key, what arrived, and its
/// place in the age list (oldest first: expiry and eviction order).
struct FragmentDatagram: BitwiseCopyable {
    var key: FragmentKey
    /// Packet time (µs) of its first fragment.
    var created: Int64
    /// Data bytes held (no overlaps are kept, so complete when this equals `total`).
    var received: Int32
    /// Payload length, known once the last fragment (more-fragments clear) arrived; -1 before.
    var total: Int32
    var fragmentCount: Int32
    /// Bytes of the saved IP header in front of the data (IPv4 header length, IPv6 40); 0 until the first
    /// fragment (offset 0) arrived.
    var headerLength: Int32
    /// IPv6: the next header after the fragment header (written into the rebuilt header).
    var nextHeader: UInt8
    var isIPv6: Bool
    var older: Int32
    var newer: Int32
    var srcMAC: MACAddress
    var dstMAC: MACAddress
}

/// A byte range `start ..< end` of a datagram's payload held from one fragment.
struct FragmentRange: BitwiseCopyable {
    var start: UInt32
    var end: UInt32
}

/// The link-layer facts of a reassembled datagram, taken from its first fragment (the rebuilt datagram is raw
/// IP: MACs and VLAN ids are not in it).
public struct ReassembledLink: Sendable, BitwiseCopyable {
    /// Source MAC of the first fragment (zero when the link has none).
    public var srcMAC: MACAddress
    /// Destination MAC of the first fragment.
    public var dstMAC: MACAddress
    /// Outer VLAN id of every fragment (part of the reassembly key).
    public var outerVLAN: UInt16
    /// Inner VLAN id of every fragment (part of the reassembly key).
    public var innerVLAN: UInt16
}
