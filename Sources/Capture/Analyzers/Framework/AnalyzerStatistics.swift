/// What a pipeline's application analyzers did; read on the pipeline's thread or after it stopped.
public struct AnalyzerStatistics: Sendable, Equatable {
    /// Flows an analyzer claimed.
    public var claims: UInt64 = 0
    /// Flows held because the client's first segment was too short to tell (`ProtocolProbe.defersShortFirstSegment`),
    /// and those of them whose later bytes named a protocol (also counted in `claims`).
    public var deferredProbes: UInt64 = 0
    public var deferredClaims: UInt64 = 0
    /// Flows (or parts of their state) not analysed because the memory budget was reached.
    public var budgetRefusals: UInt64 = 0
    /// Bytes charged to the budget now, and the most at once.
    public var budgetUsed = 0
    public var budgetPeak = 0
    /// Flows whose analysis stopped early (the first message was not the claimed protocol, or a TCP gap).
    public var abandoned: UInt64 = 0
    /// TCP reassembly: segments entirely seen before, segments held out of order, gaps given up on, and
    /// messages larger than the per-direction bound.
    public var retransmissions: UInt64 = 0
    public var outOfOrder: UInt64 = 0
    public var gaps: UInt64 = 0
    public var oversized: UInt64 = 0
    /// DNS: messages parsed, records emitted, queries reported without response, and malformations by kind.
    public var dnsMessages: UInt64 = 0
    public var dnsRecords: UInt64 = 0
    public var dnsUnanswered: UInt64 = 0
    public var dnsMalformations = DNSMalformationCounters()
    /// HTTP: request heads parsed, http records and files records emitted, malformations by kind.
    public var httpRequests: UInt64 = 0
    public var httpRecords: UInt64 = 0
    public var httpFiles: UInt64 = 0
    public var httpMalformations = MalformationCounters<HTTPMalformation>()
    /// SSH: identification strings reported, session records emitted, strings ignored on unproven flows, and
    /// malformations by kind.
    public var sshBanners: UInt64 = 0
    public var sshRecords: UInt64 = 0
    public var sshIgnoredNotEstablished: UInt64 = 0
    public var sshMalformations = MalformationCounters<SSHMalformation>()
    /// SMTP: commands read, records emitted, malformations by kind.
    public var smtpCommands: UInt64 = 0
    public var smtpRecords: UInt64 = 0
    public var smtpMalformations = MalformationCounters<SMTPMalformation>()
    /// DHCP: messages parsed, records emitted, malformations by kind.
    public var dhcpMessages: UInt64 = 0
    public var dhcpRecords: UInt64 = 0
    public var dhcpMalformations = MalformationCounters<DHCPMalformation>()
    /// TLS: records and handshake messages read, certificates parsed, ssl records emitted, malformations by kind.
    public var tlsRecords: UInt64 = 0
    public var tlsHandshakeMessages: UInt64 = 0
    public var tlsCertificates: UInt64 = 0
    public var tlsRecordsEmitted: UInt64 = 0
    public var tlsMalformations = TLSMalformationCounters()
    /// QUIC: Initial packets decrypted, ClientHellos read, malformations by kind.
    public var quicInitials: UInt64 = 0
    public var quicHellos: UInt64 = 0
    /// QUIC: hellos not reported because the client never used the server's connection id (spoofable).
    public var quicUnproven: UInt64 = 0
    /// QUIC: Initial packets not decrypted because the pipeline's decryption rate limit was reached (a flood).
    public var quicInitialsSkipped: UInt64 = 0
    public var quicMalformations = QUICMalformationCounters()

    /// All zero.
    public init() {}
}
