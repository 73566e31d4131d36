/// Counters of a `FragmentReassembler`, as a value (read on its capture thread).
public struct DefragStatistics: Sendable, Hashable {
    /// Fragments offered.
    public var fragments: UInt64 = 0
    /// Datagrams started (first fragment of any offset seen).
    public var datagrams: UInt64 = 0
    /// Datagrams completed and handed on.
    public var reassembled: UInt64 = 0
    /// Fragments identical in offset and length to one already held: ignored (the first copy is kept).
    public var duplicates: UInt64 = 0
    /// Fragments overlapping one already held without being identical: their datagram is discarded whole
    /// (RFC 5722; Linux does the same for IPv4 and IPv6).
    public var overlaps: UInt64 = 0
    /// Malformed fragments: empty, a non-last fragment whose length is not a multiple of 8, data beyond 65535
    /// bytes, a last fragment contradicting the known end, or a rebuilt IPv4 datagram above 65535 bytes. The
    /// fragment is dropped; when it contradicts the datagram, the datagram too.
    public var malformed: UInt64 = 0
    /// Fragments cut by the capture length (not all their bytes present): cannot be reassembled.
    public var truncated: UInt64 = 0
    /// Datagrams discarded at `timeout` without being complete.
    public var timedOut: UInt64 = 0
    /// Datagrams discarded, oldest first, to make room when every buffer was in use.
    public var evicted: UInt64 = 0
    /// Fragments refused because their source already had `maxDatagramsPerSource` datagrams under reassembly.
    public var sourceLimited: UInt64 = 0
    /// Datagrams discarded for having more than `maxFragmentsPerDatagram` fragments.
    public var tooManyFragments: UInt64 = 0
    /// Datagrams under reassembly now.
    public var liveDatagrams = 0
    /// Most datagrams under reassembly at once so far.
    public var peakDatagrams = 0
    /// Bytes of datagram buffers allocated so far (never above the memory cap).
    public var bufferBytes = 0
    /// Bytes of the fixed tables reserved at creation (slots, fragment ranges, buffer pointers).
    public var tableBytes = 0

    /// Creates zero counters.
    public init() {}
}
