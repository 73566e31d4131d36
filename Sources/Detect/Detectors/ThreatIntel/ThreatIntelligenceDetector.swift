import NetCore
import Records

/// Slips' `threat_intelligence` module over the lists slipsd loaded (`ThreatIntelLists`, from
/// `DetectionSettings.threatIntelligence`): every IoC match is evidence with the IoC's threat level and Slips'
/// confidence and words (`ThreatIntelDescriptions`).
/// - flows (once per uid): a listed source → `THREAT_INTELLIGENCE_FROM_BLACKLISTED_IP` (attacker the source); a
///   listed destination (or one inside a listed range) → `THREAT_INTELLIGENCE_TO_BLACKLISTED_IP` twice, as Slips:
///   the destination as attacker at the IoC's level, and the source at level low; confidence 1. Private,
///   multicast and broadcast addresses are not looked up, nor the destination of ICMP (Slips' `should_lookup`).
///   The destination's ASN listed → `THREAT_INTELLIGENCE_BLACKLISTED_ASN` (confidence 0.8) only when an ASN
///   database was opened (`asnOfAddress`; slipsd says once in its log when it is not).
/// - DNS: the query or a listed parent → `THREAT_INTELLIGENCE_BLACKLISTED_DOMAIN` (confidence 1, 0.7 for a
///   parent; `.arpa`/`.local` ignored); an answer that is a listed IP or CNAME →
///   `THREAT_INTELLIGENCE_BLACKLISTED_DNS_ANSWER`; the answers of a listed query →
///   `THREAT_INTELLIGENCE_ANSWER_OF_BLACKLISTED_QUERY`.
/// - TLS: the SNI → `…_BLACKLISTED_DOMAIN`; JA3 → `MALICIOUS_JA3`, JA3S → `MALICIOUS_JA3S` (confidence 1).
/// - HTTP: the host → `…_BLACKLISTED_DOMAIN`; `host + uri` listed as a URL → `THREAT_INTELLIGENCE_MALICIOUS_URL`.
/// - files: a listed MD5 that is not a known false positive → `MALICIOUS_DOWNLOADED_FILE` (confidence 1).
/// Evidence carries the record's uid, so the engine marks it verified only when that flow proves the attacker.
/// A miss costs hash lookups only (no allocation); text is built on a hit. Confined to the detection thread.
public final class ThreatIntelligenceDetector: Detector {
    /// The name used in config and logs (Slips' module name).
    public static let name = "threat_intelligence"
    /// What it detects, in one line.
    public static let description = "IPs, ranges, domains, URLs, JA3/JA3S and file hashes listed in threat-intelligence files (Slips' THREAT_INTELLIGENCE_*)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// Slips' confidence for a domain listed itself, and for one matched by a listed parent.
    static let domainConfidence = 1.0, parentDomainConfidence = 0.7
    /// Slips' confidence for a blacklisted ASN.
    static let asnConfidence = 0.8

    let context: DetectorContext
    private(set) var lists: ThreatIntelLists
    /// The generation of `lists.updates` the detector runs on.
    private var generation = 0
    private var sightings: SharedFlowSighting

    /// Subscribes to flows, DNS, TLS, HTTP and files.
    public init(context: DetectorContext) throws {
        self.context = context
        sightings = context.flowSighting()
        lists = context.settings.threatIntelligence
        for channel in [Channel.newFlow, .newDNS, Channel(SSLRecord.self), Channel(HTTPRecord.self),
                        Channel(FilesRecord.self)] {
            context.subscribe(channel)
        }
    }

    /// Looks the record's indicators up.
    public func main(_ message: ChannelMessage) throws {
        if let updates = lists.updates, let (newer, number) = updates.newer(than: generation) {
            lists = newer
            lists.updates = updates
            generation = number
        }
        guard !lists.isEmpty else { return }
        if let flow = message.flow { matchFlow(flow) }
        else if let dns = message.record(DNSRecord.self) { matchDNS(dns) }
        else if let ssl = message.record(SSLRecord.self) { matchSSL(ssl) }
        else if let http = message.record(HTTPRecord.self) { matchHTTP(http) }
        else if let file = message.record(FilesRecord.self) { matchFile(file) }
    }

    /// Private, multicast and broadcast addresses are never looked up (Slips' `is_ignored_ip`).
    static func isIgnored(_ address: IPAddress) -> Bool {
        address.isPrivate || address.isMulticastOrBroadcast || address.isLoopback
    }

    /// `.arpa` and `.local` names and empty ones are not looked up (Slips' `is_ignored_domain`).
    static func isIgnored(domain: String) -> Bool {
        domain.isEmpty || domain.hasSuffix(".arpa") || domain.hasSuffix(".local") || domain == "-"
    }

    func evidence(_ type: EvidenceType, _ text: String, attacker: Attacker, victim: Victim?, level: ThreatLevel,
                  confidence: Double, profile: IPAddress, window: TimeWindow, uid: FlowUID,
                  time: PacketTime) {
        context.setEvidence(Evidence(type: type, description: text, attacker: attacker, victim: victim,
                                     threatLevel: level, confidence: confidence, profile: ProfileID(ip: profile),
                                     timeWindow: window, uids: [uid], timestamp: time))
    }

    // MARK: flows

    private func matchFlow(_ message: FlowMessage) {
        let flow = message.flow
        guard !flow.flipped, sightings.isFirst(flow) else { return }
        let source = flow.originator, destination = flow.responder
        let window = message.timeWindow
        if !Self.isIgnored(source), let listed = lists.iocs.match(source) {
            evidence(.THREAT_INTELLIGENCE_FROM_BLACKLISTED_IP,
                     ThreatIntelDescriptions.connectionFrom(source, to: destination, listed),
                     attacker: Attacker(direction: .SRC, value: source.description),
                     victim: Victim(direction: .DST, value: destination.description), level: listed.threatLevel,
                     confidence: 1, profile: source, window: window, uid: flow.uid, time: flow.startTime)
        }
        let icmp = flow.proto == .icmp || flow.proto == .icmpv6
        if !icmp, !Self.isIgnored(destination), let listed = lists.iocs.match(destination) {
            let text = ThreatIntelDescriptions.connectionTo(destination, from: source, listed)
            evidence(.THREAT_INTELLIGENCE_TO_BLACKLISTED_IP, text,
                     attacker: Attacker(direction: .DST, value: destination.description),
                     victim: Victim(direction: .SRC, value: source.description), level: listed.threatLevel,
                     confidence: 1, profile: destination, window: window, uid: flow.uid, time: flow.startTime)
            evidence(.THREAT_INTELLIGENCE_TO_BLACKLISTED_IP, text,
                     attacker: Attacker(direction: .SRC, value: source.description),
                     victim: Victim(direction: .DST, value: destination.description), level: .low,
                     confidence: 1, profile: source, window: window, uid: flow.uid, time: flow.startTime)
        }
        if let asnOf = lists.asnOfAddress, !Self.isIgnored(destination), let number = asnOf(destination),
           let listed = lists.iocs.match(asNumber: number) {
            let asn = "AS\(number)"
            let text = "Connection to IP: \(destination) with blacklisted ASN: \(asn) Description: "
                + "\(listed.description), Found in feed: \(listed.feed), Confidence: \(Self.asnConfidence). "
                + "Tags: \(listed.tags.joined(separator: ", ")) "
            evidence(.THREAT_INTELLIGENCE_BLACKLISTED_ASN, text,
                     attacker: Attacker(direction: .SRC, value: source.description),
                     victim: Victim(direction: .DST, value: destination.description), level: listed.threatLevel,
                     confidence: Self.asnConfidence, profile: source, window: window, uid: flow.uid,
                     time: flow.startTime)
        }
    }
}
