/// Limits of a pipeline's application analyzers.
public struct AnalyzerConfiguration: Sendable, Equatable {
    /// Run the analyzers at all (false: flows only, as before analyzers existed).
    public var enabled: Bool
    /// The one memory budget across analyzers, in bytes (`analyzers.memory_budget_mb` in the YAML).
    public var memoryBudget: Int
    /// Most bytes held per TCP direction while a message spans segments (reassembly of a flow's first bytes).
    public var streamBytesPerDirection: Int
    /// Seconds after which a DNS query without a response is reported unanswered.
    public var dnsQueryTimeout: Double
    /// Most queries awaiting a response per flow; beyond, the oldest is reported unanswered.
    public var dnsPendingPerFlow: Int
    /// HTTP: the longest request or response head read (bounded also by `streamBytesPerDirection`), bytes.
    public var httpMaxHeaderBytes = 8 << 10
    /// HTTP: a response body is hashed (MD5, SHA-1, SHA-256) up to this many bytes; a longer one gets no hashes.
    public var httpHashBytes: UInt64 = 64 << 20
    /// HTTP: which digests of a response body are computed (all three, as files.log from Slips' Zeek has them).
    public var httpHashes: HTTPBodyHashKinds = .all
    /// HTTP: most requests awaiting responses per connection (pipelining).
    public var httpPendingPerConnection = 32
    /// SSH: bytes after both identification strings above which `auth_success` is true (Slips'
    /// `ssh_succesful_detection_threshold`).
    public var sshSuccessBytes: UInt64 = 4290
    /// Most bytes of one TLS handshake message held while it spans records or segments (a certificate chain).
    public var tlsHandshakeMessageBytes: Int = 32 << 10
    /// Most bytes of QUIC CRYPTO data gathered per direction from Initial packets.
    public var quicCryptoBytes: Int = 16 << 10

    /// The defaults: on, 32 MiB, 16 KiB per direction, 10 s, 32 queries.
    public init(enabled: Bool = true, memoryBudget: Int = 32 << 20, streamBytesPerDirection: Int = 16 << 10,
                dnsQueryTimeout: Double = 10, dnsPendingPerFlow: Int = 32) {
        self.enabled = enabled
        self.memoryBudget = memoryBudget
        self.streamBytesPerDirection = streamBytesPerDirection
        self.dnsQueryTimeout = dnsQueryTimeout
        self.dnsPendingPerFlow = dnsPendingPerFlow
    }
}
