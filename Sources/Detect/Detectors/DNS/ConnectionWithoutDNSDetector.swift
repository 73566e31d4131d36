import NetCore
import Records

/// Slips' `check_connection_without_dns_resolution` (`flow_alerts/conn.py`): a connection to a public address
/// that no DNS answer of the last 24 hours gave (a hard-coded C&C address, a scan of addresses).
/// `CONNECTION_WITHOUT_DNS`, threat info (never adds to an alert), confidence 0.8, attacker the client (SRC),
/// `A connection without DNS resolution to Destination IP: 203.0.113.9`, the flow's uid.
///
/// Skipped as in Slips: flows whose service is DNS (or, with no service known, to port 53) or that are ICMP;
/// destinations that are multicast, private (Slips' `is_private_ip`), link-local, loopback or reserved; DHCP
/// servers (learned from DHCP records); addresses in `client_ips`; addresses of a well-known organization (in a
/// loaded organization's ranges, or whose SNI is one of its domains); runs without any DNS record (Slips skips a
/// lone Zeek log file: there is no dns.log to know). Slips waits 15 s of real time for a late answer; slipsd
/// waits `wait_seconds` (15) of packet time, and judges what is still waiting at the end of the input.
/// `startup_grace_minutes` (0) ignores connections in the first minutes of the run (Slips: 30 on an interface,
/// where the host resolved names before Slips started).
///
/// Deviations: one evidence per (client, destination, window) (Slips sets one per flow); no other-IP-version
/// check (Slips asks whether the host's other address resolved it). Memory: at most `max_resolved_ips` resolved
/// addresses, `max_pending` waiting connections (a full queue judges its oldest early), as many reported pairs,
/// 4,096 DHCP servers and SNIs: all in `BoundedKeyMap`s / a `PendingQueue`. At most `max_evidence_per_window`
/// (100) evidence per profile and window (`EvidenceQuota`; the rest counted in `evidenceHeldBack`, Slips has no
/// quota). Confined to the detection thread.
public final class ConnectionWithoutDNSDetector: Detector {
    /// The name used in config and logs; also the YAML section's name.
    public static let name = "connection_without_dns"
    /// What it detects, in one line.
    public static let description = "Connections to public IPs no DNS answer gave (Slips' CONNECTION_WITHOUT_DNS)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `connection_without_dns:` section.
    public struct Settings: DetectorSettings {
        /// `wait_seconds`: packet time a connection waits for a late answer (Slips: 15 s of real time).
        public var waitSeconds = 15.0
        /// `resolution_hours`: how long an answer covers its addresses (Slips: 24).
        public var resolutionHours = 24.0
        /// `startup_grace_minutes`: connections in the first minutes of the run are not judged (Slips on an
        /// interface: 30; on files: 0).
        public var startupGraceMinutes = 0.0
        /// `client_ips`: ranges of this network's servers reached from outside (Slips' `client_ips`).
        public var clientIPs: [String] = []
        /// `max_resolved_ips`: resolved addresses remembered.
        public var maxResolvedIPs = 262_144
        /// `max_pending`: connections waiting at once.
        public var maxPending = 65_536
        /// `max_evidence_per_window`: evidence kept per profile and window; the rest is counted (`EvidenceQuota`).
        public var maxEvidencePerWindow = EvidenceQuota.defaultLimit

        /// Slips' values.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case waitSeconds = "wait_seconds", resolutionHours = "resolution_hours"
            case startupGraceMinutes = "startup_grace_minutes", clientIPs = "client_ips"
            case maxResolvedIPs = "max_resolved_ips", maxPending = "max_pending"
            case maxEvidencePerWindow = "max_evidence_per_window"
        }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            waitSeconds = try section.value(.waitSeconds, default: waitSeconds, in: 0...86_400)
            resolutionHours = try section.value(.resolutionHours, default: resolutionHours, in: 0.001...8_760)
            startupGraceMinutes = try section.value(.startupGraceMinutes, default: startupGraceMinutes, in: 0...10_080)
            clientIPs = try section.value(.clientIPs, default: clientIPs)
            if let bad = clientIPs.first(where: { CIDR($0) == nil }) {
                throw DecodingError.dataCorruptedError(forKey: .clientIPs, in: section,
                                                       debugDescription: "'\(bad)' is not an address range")
            }
            maxResolvedIPs = try section.value(.maxResolvedIPs, default: maxResolvedIPs, in: 1...10_000_000)
            maxPending = try section.value(.maxPending, default: maxPending, in: 1...10_000_000)
            maxEvidencePerWindow = try section.value(.maxEvidencePerWindow, default: maxEvidencePerWindow,
                                                     in: 1...10_000_000)
        }
    }

    /// A connection waiting for a late answer.
    struct Pending {
        var message: FlowMessage
        var due: PacketTime
    }

    /// A reported (client, destination) in a window.
    struct Pair: Hashable {
        var client: IPAddress
        var destination: IPAddress
    }

    private let context: DetectorContext
    private let wait: Duration
    private let coverage: Duration
    private let grace: Duration
    private let clientRanges: [CIDR]
    private let organizations: [WhitelistOrganization]
    /// Each answered address and when it was last answered.
    private(set) var resolved: BoundedKeyMap<IPAddress, PacketTime>
    private(set) var pending: PendingQueue<Pending>
    private(set) var reported: BoundedKeyMap<Pair, Int>
    private var dhcpServers = BoundedKeyMap<IPAddress, Bool>(capacity: 4_096)
    private var serverNames = BoundedKeyMap<IPAddress, String>(capacity: 4_096)
    private var judgedUIDs = BoundedUIDMap<Bool>(capacity: 65_536)
    private var firstTime: PacketTime?
    private var quota: EvidenceQuota
    /// Evidence held back by the per-window quota (stats).
    public var evidenceHeldBack: Int { quota.heldBack }
    /// True once a DNS record arrived: without any, nothing can be judged.
    private(set) var sawDNS = false

    /// Subscribes to `new_flow`, `new_dns`, `new_dhcp` and `new_ssl`.
    public init(context: DetectorContext) throws {
        self.context = context
        let settings = context.detectorSettings(Settings.self)
        wait = .microseconds(Int64(settings.waitSeconds * 1_000_000))
        coverage = .microseconds(Int64(settings.resolutionHours * 3_600_000_000))
        grace = .microseconds(Int64(settings.startupGraceMinutes * 60_000_000))
        clientRanges = settings.clientIPs.compactMap(CIDR.init)
        organizations = context.settings.organizations.filter(\.canJudge)
        resolved = BoundedKeyMap(capacity: settings.maxResolvedIPs)
        pending = PendingQueue(capacity: settings.maxPending)
        reported = BoundedKeyMap(capacity: settings.maxPending)
        quota = EvidenceQuota(limit: settings.maxEvidencePerWindow, alertThreshold: context.settings.alertThreshold,
                              owner: Self.name)
        context.subscribe(.newFlow)
        context.subscribe(.newDNS)
        context.subscribe(Channel(DHCPRecord.self))
        context.subscribe(Channel(SSLRecord.self))
    }

    /// Learns answers, DHCP servers and SNIs; queues connections that no answer covers yet.
    public func main(_ message: ChannelMessage) throws {
        if let flow = message.flow { return consider(flow) }
        if let dns = message.record(DNSRecord.self) {
            sawDNS = true
            for answer in dns.record.answers {
                if let address = IPAddress(answer) { resolved.set(dns.record.time, for: address) }
            }
            return
        }
        if let dhcp = message.record(DHCPRecord.self), let server = dhcp.record.serverAddress {
            dhcpServers.set(true, for: server)
            return
        }
        if let ssl = message.record(SSLRecord.self), let server = ssl.record.id.responder,
           !ssl.record.serverName.isEmpty {
            serverNames.set(ssl.record.serverName, for: server)
        }
    }

    /// Judges the connections whose wait is over.
    public func tick(now: PacketTime) throws {
        while let first = pending.first, first.due <= now {
            _ = pending.popFirst()
            judge(first.message)
        }
    }

    /// Judges every connection still waiting (end of input).
    public func shutdownGracefully() throws {
        while let next = pending.popFirst() { judge(next.message) }
        quota.logSummary()
    }

    private func consider(_ message: FlowMessage) {
        let flow = message.flow
        if firstTime == nil { firstTime = flow.startTime }
        guard !Self.isIgnored(flow), judgedUIDs[flow.uid] == nil else { return }
        if let firstTime, flow.startTime - firstTime < grace { return }
        judgedUIDs.set(true, for: flow.uid)
        if isResolved(flow.responder, at: flow.startTime) { return }
        if let early = pending.append(Pending(message: message, due: flow.startTime + wait)) { judge(early.message) }
    }

    /// Slips' `should_ignore_conn_without_dns` and `is_ignored_ip`, for what a record alone tells.
    static func isIgnored(_ flow: ConnRecord) -> Bool {
        if flow.proto == .icmp || flow.proto == .icmpv6 { return true }
        if flow.serviceIncludes("dns") || (flow.service.isEmpty && flow.responderPort == 53) { return true }
        return isIgnoredAddress(flow.responder)
    }

    /// Slips' `utils.is_ignored_ip`: multicast, private, link-local, loopback or reserved (240.0.0.0/4).
    static func isIgnoredAddress(_ address: IPAddress) -> Bool {
        if address.isMulticastOrBroadcast || address.isPrivateAsSlips || address.isLoopback { return true }
        if address.isIPv4 {
            let value = address.ipv4Value
            return value == 0 || (value >> 16) == 0xA9FE || (value >> 28) == 0xF
        }
        return address.isPrivate
    }

    private func isResolved(_ address: IPAddress, at time: PacketTime) -> Bool {
        guard let answered = resolved[address] else { return false }
        return time - answered <= coverage
    }

    private func isWellKnown(_ address: IPAddress) -> Bool {
        if organizations.contains(where: { $0.owns(address) }) { return true }
        guard let name = serverNames[address] else { return false }
        return organizations.contains { $0.owns(domain: name) }
    }

    private func judge(_ message: FlowMessage) {
        let flow = message.flow
        let destination = flow.responder
        guard sawDNS, !isResolved(destination, at: flow.startTime), dhcpServers[destination] == nil,
              !clientRanges.contains(where: { $0.contains(destination) }), !isWellKnown(destination) else { return }
        let pair = Pair(client: flow.originator, destination: destination)
        guard reported[pair] != message.timeWindow.number else { return }
        reported.set(message.timeWindow.number, for: pair)
        let evidence = Evidence(
            type: .CONNECTION_WITHOUT_DNS,
            description: "A connection without DNS resolution to Destination IP: \(destination)",
            attacker: Attacker(direction: .SRC, value: flow.originator.description),
            threatLevel: .info, confidence: 0.8, profile: message.profile, timeWindow: message.timeWindow,
            uids: [flow.uid], timestamp: flow.startTime, srcPort: flow.originatorPort, dstPort: flow.responderPort,
            proto: flow.proto)
        if quota.admit(evidence) { context.setEvidence(evidence) }
    }
}
