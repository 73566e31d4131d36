import NetCore
import Records

/// Slips' `check_dns_without_connection` (`flow_alerts/dns.py`): a name resolved to addresses the client then
/// never connects to (lookups that only test whether a name exists, a tunnel through DNS, prefetching).
/// `DNS_WITHOUT_CONNECTION`, threat info (never adds to an alert), confidence 0.8, attacker the client (SRC),
/// victim the domain (DST): `domain example.org resolved with no connection`, the dns record's uid.
///
/// Judged, as Slips: A and AAAA answers with NOERROR and at least one answer, except names containing `arpa` or
/// `.local`, wildcards, names under `cymru.com`, single labels and `WPAD`. The client "connected" when, before
/// the wait is over, one of its flows went to an address of the answer, to an address the name resolved to
/// earlier, or to an address of a CNAME of the answer. Slips waits 30 minutes of Zeek time (and looks earlier at
/// 10 and 20); slipsd waits `wait_minutes` (30) of packet time, drops the pending answer as soon as a flow
/// matches, and judges what is still waiting at the end of the input (as Slips at shutdown).
///
/// Deviations: contacts are remembered per (client, address) whatever the window (Slips: the answer's window);
/// no other-IP-version check. Memory: `max_pending` waiting answers (a full queue judges its oldest early),
/// `max_contacts` (client, address) contacts and as many names' earlier addresses (8 each), in
/// `BoundedKeyMap`s / a `PendingQueue`. At most `max_evidence_per_window` (100) evidence per profile and window
/// (`EvidenceQuota`; the rest counted in `evidenceHeldBack`, Slips has no quota). Confined to the detection thread.
public final class DNSWithoutConnectionDetector: Detector {
    /// The name used in config and logs; also the YAML section's name.
    public static let name = "dns_without_connection"
    /// What it detects, in one line.
    public static let description = "DNS answers the client never connects to (Slips' DNS_WITHOUT_CONNECTION)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `dns_without_connection:` section.
    public struct Settings: DetectorSettings {
        /// `wait_minutes`: packet time an answer waits for its connection (Slips: 30 minutes of Zeek time).
        public var waitMinutes = 30.0
        /// `max_pending`: answers waiting at once.
        public var maxPending = 65_536
        /// `max_contacts`: (client, address) contacts and names' earlier addresses remembered.
        public var maxContacts = 262_144
        /// `max_evidence_per_window`: evidence kept per profile and window; the rest is counted (`EvidenceQuota`).
        public var maxEvidencePerWindow = EvidenceQuota.defaultLimit

        /// Slips' values.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case waitMinutes = "wait_minutes", maxPending = "max_pending", maxContacts = "max_contacts"
            case maxEvidencePerWindow = "max_evidence_per_window"
        }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            waitMinutes = try section.value(.waitMinutes, default: waitMinutes, in: 0...10_080)
            maxPending = try section.value(.maxPending, default: maxPending, in: 1...10_000_000)
            maxContacts = try section.value(.maxContacts, default: maxContacts, in: 1...10_000_000)
            maxEvidencePerWindow = try section.value(.maxEvidencePerWindow, default: maxEvidencePerWindow,
                                                     in: 1...10_000_000)
        }
    }

    /// A client and an address it sent a flow to.
    struct Contact: Hashable {
        var client: IPAddress
        var address: IPAddress
    }

    /// An answer waiting for its connection.
    struct Pending {
        var message: DNSMessage
        var due: PacketTime
    }

    /// Addresses kept per name.
    static let addressesPerName = 8

    private let context: DetectorContext
    private let wait: Duration
    private(set) var pending: PendingQueue<Pending>
    private(set) var contacts: BoundedKeyMap<Contact, Bool>
    private(set) var addressesOfName: BoundedKeyMap<String, [IPAddress]>
    private var quota: EvidenceQuota
    /// Evidence held back by the per-window quota (stats).
    public var evidenceHeldBack: Int { quota.heldBack }

    /// Subscribes to `new_dns` and `new_flow`.
    public init(context: DetectorContext) throws {
        self.context = context
        let settings = context.detectorSettings(Settings.self)
        wait = .microseconds(Int64(settings.waitMinutes * 60_000_000))
        pending = PendingQueue(capacity: settings.maxPending)
        contacts = BoundedKeyMap(capacity: settings.maxContacts)
        addressesOfName = BoundedKeyMap(capacity: settings.maxContacts)
        quota = EvidenceQuota(limit: settings.maxEvidencePerWindow, alertThreshold: context.settings.alertThreshold,
                              owner: Self.name)
        context.subscribe(.newDNS)
        context.subscribe(.newFlow)
    }

    /// Remembers contacts and names' addresses; queues answers to judge.
    public func main(_ message: ChannelMessage) throws {
        if let flow = message.flow {
            contacts.set(true, for: Contact(client: flow.flow.originator, address: flow.flow.responder))
            return
        }
        guard let dns = message.record(DNSRecord.self) else { return }
        let record = dns.record
        remember(record)
        guard Self.isJudged(record) else { return }
        if let early = pending.append(Pending(message: dns, due: record.time + wait)) { judge(early.message) }
    }

    /// Judges the answers whose wait is over.
    public func tick(now: PacketTime) throws {
        while let first = pending.first, first.due <= now {
            _ = pending.popFirst()
            judge(first.message)
        }
    }

    /// Judges every answer still waiting (end of input), as Slips does at shutdown.
    public func shutdownGracefully() throws {
        while let next = pending.popFirst() { judge(next.message) }
        quota.logSummary()
    }

    private func remember(_ record: DNSRecord) {
        let addresses = record.answers.compactMap(IPAddress.init)
        guard !addresses.isEmpty, let name = Whitelist.normalizedDomain(record.query) else { return }
        var known = addressesOfName[name] ?? []
        for address in addresses where !known.contains(address) {
            if known.count == Self.addressesPerName { known.removeFirst() }
            known.append(address)
        }
        addressesOfName.set(known, for: name)
    }

    /// Slips' `should_detect_dns_without_conn`, for what a record alone tells.
    static func isJudged(_ record: DNSRecord) -> Bool {
        let query = record.query
        guard let type = record.qtypeName, type == "A" || type == "AAAA", record.rcodeName == "NOERROR",
              !record.answers.isEmpty, !TextSearch.contains(query, "arpa"), !TextSearch.contains(query, ".local"),
              !TextSearch.contains(query, "*"), !query.hasSuffix(".cymru.com"),
              TextSearch.contains(query, "."), query != "WPAD" else { return false }
        return true
    }

    private func contacted(_ client: IPAddress, _ addresses: [IPAddress]) -> Bool {
        addresses.contains { contacts[Contact(client: client, address: $0)] != nil }
    }

    private func judge(_ dns: DNSMessage) {
        let record = dns.record
        let client = record.originator
        var addresses = record.answers.compactMap(IPAddress.init)
        if let name = Whitelist.normalizedDomain(record.query) { addresses += addressesOfName[name] ?? [] }
        if contacted(client, addresses) { return }
        for answer in record.answers where IPAddress(answer) == nil {
            guard let name = Whitelist.normalizedDomain(answer), let cnameAddresses = addressesOfName[name] else {
                continue
            }
            if contacted(client, cnameAddresses) { return }
        }
        let evidence = Evidence(
            type: .DNS_WITHOUT_CONNECTION, description: "domain \(record.query) resolved with no connection",
            attacker: Attacker(direction: .SRC, value: client.description),
            victim: Victim(direction: .DST, iocType: .DOMAIN, value: record.query),
            threatLevel: .info, confidence: 0.8, profile: dns.profile, timeWindow: dns.timeWindow,
            uids: [record.uid], timestamp: record.time)
        if quota.admit(evidence) { context.setEvidence(evidence) }
    }
}
