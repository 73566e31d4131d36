import NetCore

/// Limits of the fragment reassembly table (`FragmentReassembler`), after Suricata's `defrag` section: a memory
/// cap on datagram buffers, per-source and per-datagram limits, and a timeout in packet time.
///
/// Every value is clamped to a usable minimum by `init`, so a configuration cannot be invalid.
public struct DefragConfiguration: Sendable, Hashable {
    /// Bytes of one datagram buffer: room for the rebuilt IP header (64) and the largest fragmented payload
    /// (65535).
    public static let bufferBytes = 64 + 65_535

    /// Most bytes of datagram buffers, allocated on first use and kept: `memoryCap / bufferBytes` datagrams
    /// (at least one) can be under reassembly at once. Default 32 MiB (511 datagrams), Suricata's default memcap.
    public var memoryCap: Int
    /// Most datagrams under reassembly from one source address; default 64.
    public var maxDatagramsPerSource: Int
    /// Most fragments in one datagram (a 64 KiB datagram in 1480-byte fragments has 45); one more discards the
    /// datagram. Default 256.
    public var maxFragmentsPerDatagram: Int
    /// A datagram not complete this long after its first fragment (packet time) is discarded. Default 60 s, as
    /// Suricata (Linux waits 30 s).
    public var timeout: Duration

    /// The limits; each is raised to its minimum (one datagram, one per source, one fragment, 1 ms).
    public init(memoryCap: Int = 32 << 20, maxDatagramsPerSource: Int = 64, maxFragmentsPerDatagram: Int = 256,
                timeout: Duration = .seconds(60)) {
        self.memoryCap = max(memoryCap, Self.bufferBytes)
        self.maxDatagramsPerSource = max(1, maxDatagramsPerSource)
        self.maxFragmentsPerDatagram = max(1, maxFragmentsPerDatagram)
        self.timeout = max(timeout, .milliseconds(1))
    }

    /// Datagrams that fit in `memoryCap`.
    public var maxDatagrams: Int { max(1, memoryCap / Self.bufferBytes) }
}
