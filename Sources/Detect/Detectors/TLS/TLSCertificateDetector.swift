import NetCore
import Records

/// Slips' certificate checks (`flow_alerts/ssl.py`) on TLS sessions (`new_ssl`) and the certificates they carried
/// (`new_x509`), from Zeek's ssl.log/x509.log, Suricata's tls events or the TLS analyzer. Slips' levels,
/// confidences and words:
///
/// - `SELF_SIGNED_CERTIFICATE` (low, 0.5): the session's `validation_status` contains `self signed`. As Slips, a
///   pair: the client as attacker (SRC, its profile) and the server as attacker (DST, the server's profile),
///   `Self-signed certificate. Destination IP: 203.0.113.5. SNI: example.org.` When the session carries no
///   validation status at all (packets: nothing validates the chain), a server certificate whose subject equals
///   its issuer counts as self signed (slipsd's addition).
/// - `INCOMPATIBLE_CN` (medium, 0.9): the certificate's subject names a known organization (one of the whitelist's
///   organizations whose files were loaded: `facebook`, `google` …) but neither the server's IP lies in the
///   organization's ranges nor the SNI is one of its domains: `Incompatible certificate CN to IP: 203.0.113.5
///   domain: login.example. The certificate is claiming to belong to Google.` Client as attacker, server victim.
/// - `CN_URL_MISMATCH` (client low, server-name medium; 0.8): the subject's CN, as a pattern (`*` any text,
///   matched at the start of the name, as Slips' `re.match`), does not match the SNI, the two names have
///   different root domains, and they belong to two different known organizations. Slips asks whois for each
///   name's organization and sets nothing when it has no answer; slipsd's organizations are those of the
///   organization files, so a name that belongs to none is "no answer". A pair as Slips: the client (SRC)
///   with the SNI as victim, and the SNI as attacker (DST, in the server's profile) with the client as victim.
///   `a CN mismatch. The common name (CN) '*.google.com' in the SSL certificate for the domain 'www.facebook.com'
///   does not match the server's domain.`
///
/// The subject is the ssl record's `subject` (older Zeek) or, otherwise, the server certificate's (the x509
/// record of the session's first certificate, joined by uid in either order, each side waiting in a
/// `BoundedUIDMap` of `remembered_sessions`). Each session is judged once. Every evidence carries the session's
/// uid, so only a handshake-proven flow makes its attacker verified. At most `max_evidence_per_window` (100)
/// evidence of each type per profile and window, or as many as that evidence alone needs to alert if more
/// (`EvidenceQuota`; the rest counted in `evidenceHeldBack`; Slips has no quota). Confined to the detection thread.
public final class TLSCertificateDetector: Detector {
    /// The name used in config and logs; also the YAML section's name.
    public static let name = "ssl_certificates"
    /// What it detects, in one line.
    public static let description = "Self-signed certificates, certificates claiming another organization, CN/SNI mismatches (Slips' ssl.py)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `ssl_certificates:` section.
    public struct Settings: DetectorSettings {
        /// `remembered_sessions`: TLS sessions waiting for their certificate, and certificates for their session.
        public var rememberedSessions = 65_536
        /// `max_evidence_per_window`: evidence of each type kept per profile and window; the rest is counted
        /// (`EvidenceQuota`; evidence that adds to an alert is kept until it alone could alert).
        public var maxEvidencePerWindow = EvidenceQuota.defaultLimit

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case rememberedSessions = "remembered_sessions", maxEvidencePerWindow = "max_evidence_per_window"
        }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            rememberedSessions = try section.value(.rememberedSessions, default: rememberedSessions, in: 1...10_000_000)
            maxEvidencePerWindow = try section.value(.maxEvidencePerWindow, default: maxEvidencePerWindow,
                                                     in: 1...10_000_000)
        }
    }

    /// A session waiting for its server certificate.
    struct PendingSession {
        var message: RecordMessage<SSLRecord>
    }

    /// A server certificate waiting for its session.
    struct PendingCertificate {
        var subject: String
        var issuer: String
        var fileID: String
    }

    private let context: DetectorContext
    private let organizations: [WhitelistOrganization]
    private(set) var sessions: BoundedUIDMap<PendingSession>
    private var quota: EvidenceQuota
    /// Evidence held back by the per-window quota (stats).
    public var evidenceHeldBack: Int { quota.heldBack }
    private(set) var certificates: BoundedUIDMap<PendingCertificate>

    /// Subscribes to `new_ssl` and `new_x509`; takes the organizations that have files.
    public init(context: DetectorContext) throws {
        self.context = context
        let settings = context.detectorSettings(Settings.self)
        let capacity = settings.rememberedSessions
        quota = EvidenceQuota(limit: settings.maxEvidencePerWindow, alertThreshold: context.settings.alertThreshold,
                              owner: Self.name)
        sessions = BoundedUIDMap(capacity: capacity)
        certificates = BoundedUIDMap(capacity: capacity)
        organizations = context.settings.organizations.filter(\.canJudge)
        context.subscribe(Channel(SSLRecord.self))
        context.subscribe(Channel(X509Record.self))
    }

    /// Logs how many evidence the quota held back.
    public func shutdownGracefully() throws { quota.logSummary() }

    /// Judges a session when its subject is known; otherwise pairs it with its certificate.
    public func main(_ message: ChannelMessage) throws {
        if let ssl = message.record(SSLRecord.self) { return handle(ssl) }
        guard let x509 = message.record(X509Record.self), let uid = x509.record.uid else { return }
        let record = x509.record
        if let pending = sessions[uid] {
            let chain = pending.message.record.certificateChain
            guard chain.isEmpty || chain.first == record.fileID else { return }
            sessions.removeValue(for: uid)
            judge(pending.message, subject: record.subject, issuer: record.issuer)
        } else if certificates[uid] == nil {
            certificates.set(PendingCertificate(subject: record.subject, issuer: record.issuer, fileID: record.fileID),
                             for: uid)
        }
    }

    private func handle(_ ssl: RecordMessage<SSLRecord>) {
        let record = ssl.record
        if TextSearch.contains(record.validationStatus, "self signed") { selfSigned(ssl) }
        if !record.subject.isEmpty { return judge(ssl, subject: record.subject, issuer: nil) }
        if let certificate = certificates[record.uid],
           record.certificateChain.isEmpty || record.certificateChain.first == certificate.fileID {
            certificates.removeValue(for: record.uid)
            return judge(ssl, subject: certificate.subject, issuer: certificate.issuer)
        }
        sessions.set(PendingSession(message: ssl), for: record.uid)
    }

    /// The CN checks on the session's subject; the subject-equals-issuer test when the session had no status.
    private func judge(_ ssl: RecordMessage<SSLRecord>, subject: String, issuer: String?) {
        if let issuer, ssl.record.validationStatus.isEmpty, !subject.isEmpty, subject == issuer { selfSigned(ssl) }
        guard !subject.isEmpty, let server = ssl.record.id.responder, let client = ssl.record.id.originator else { return }
        let serverName = ssl.record.serverName
        if let organization = Self.incompatibleOrganization(subject: subject, server: server, serverName: serverName,
                                                            organizations: organizations) {
            emit(evidence(
                ssl, type: .INCOMPATIBLE_CN,
                description: "Incompatible certificate CN to IP: \(server) domain: \(serverName). "
                    + "The certificate is claiming to belong to \(Self.capitalized(organization)).",
                attacker: Attacker(direction: .SRC, value: client.description),
                victim: Victim(direction: .DST, value: server.description),
                threatLevel: .medium, confidence: 0.9, profile: ssl.profile))
        }
        if let cn = Self.commonName(subject),
           Self.isMismatch(cn: cn, serverName: serverName, organizations: organizations) {
            let text = "a CN mismatch. The common name (CN) '\(cn)' in the SSL certificate for the domain "
                + "'\(serverName)' does not match the server's domain."
            emit(evidence(
                ssl, type: .CN_URL_MISMATCH, description: text,
                attacker: Attacker(direction: .SRC, value: client.description),
                victim: Victim(direction: .DST, iocType: .DOMAIN, value: serverName),
                threatLevel: .low, confidence: 0.8, profile: ssl.profile))
            emit(evidence(
                ssl, type: .CN_URL_MISMATCH, description: text,
                attacker: Attacker(direction: .DST, iocType: .DOMAIN, value: serverName),
                victim: Victim(direction: .SRC, value: client.description),
                threatLevel: .medium, confidence: 0.8, profile: ProfileID(ip: server)))
        }
    }

    private func selfSigned(_ ssl: RecordMessage<SSLRecord>) {
        let record = ssl.record
        guard let server = record.id.responder, let client = record.id.originator else { return }
        var text = "Self-signed certificate. Destination IP: \(server)."
        if !record.serverName.isEmpty { text += " SNI: \(record.serverName)." }
        emit(evidence(ssl, type: .SELF_SIGNED_CERTIFICATE, description: text,
                      attacker: Attacker(direction: .SRC, value: client.description), victim: nil,
                      threatLevel: .low, confidence: 0.5, profile: ssl.profile))
        emit(evidence(ssl, type: .SELF_SIGNED_CERTIFICATE, description: text,
                      attacker: Attacker(direction: .DST, value: server.description), victim: nil,
                      threatLevel: .low, confidence: 0.5, profile: ProfileID(ip: server)))
    }

    /// Sets the evidence unless its (profile, window, type) quota is spent.
    private func emit(_ evidence: Evidence) {
        if quota.admit(evidence) { context.setEvidence(evidence) }
    }

    private func evidence(_ ssl: RecordMessage<SSLRecord>, type: EvidenceType, description: String,
                          attacker: Attacker, victim: Victim?, threatLevel: ThreatLevel, confidence: Double,
                          profile: ProfileID) -> Evidence {
        let record = ssl.record
        return Evidence(type: type, description: description, attacker: attacker, victim: victim,
                        threatLevel: threatLevel, confidence: confidence, profile: profile,
                        timeWindow: ssl.timeWindow, uids: [record.uid], timestamp: record.time,
                        srcPort: record.id.originatorPort, dstPort: record.id.responderPort, proto: .tcp)
    }

    // MARK: Slips' rules, as pure functions

    /// Slips' `detect_incompatible_cn`: the last known organization named in the subject that owns neither the
    /// server's IP nor the SNI; nil when one named owns either, or none is named.
    static func incompatibleOrganization(subject: String, server: IPAddress, serverName: String,
                                         organizations: [WhitelistOrganization]) -> String? {
        let lowered = subject.lowercased()
        var claimed: String?
        for organization in organizations where lowered.contains(organization.name) {
            claimed = organization.name
            if organization.owns(server) { return nil }
            if !serverName.isEmpty, organization.owns(domain: serverName) { return nil }
        }
        return claimed
    }

    /// Slips' `extract_cn`: the text after the first `CN=` up to the next comma.
    static func commonName(_ subject: String) -> String? {
        guard let start = subject.firstRange(of: "CN=") else { return nil }
        let value = subject[start.upperBound...].prefix { $0 != "," }
        return value.isEmpty ? nil : String(value)
    }

    /// The CN as Slips' pattern (`.` literal, `*` any text) matches at the start of `name` (`re.match`).
    static func cnMatches(_ cn: String, _ name: String) -> Bool {
        let parts = cn.split(separator: "*", omittingEmptySubsequences: false)
        guard let first = parts.first, name.hasPrefix(first) else { return false }
        var rest = name.dropFirst(first.count)
        for part in parts.dropFirst() where !part.isEmpty {
            guard let found = rest.firstRange(of: part) else { return false }
            rest = rest[found.upperBound...]
        }
        return true
    }

    /// The registrable part of a name: its last two labels, or three under a two-letter country code whose
    /// second level is generic (`example.co.uk`). An approximation of the public suffix list Slips' tldextract uses.
    static func rootDomain(_ name: String) -> String {
        let labels = name.lowercased().split(separator: ".")
        guard labels.count > 2 else { return labels.joined(separator: ".") }
        let generic: Set<Substring> = ["co", "com", "net", "org", "ac", "gov", "edu", "ne", "or"]
        let take = labels[labels.count - 1].count == 2 && generic.contains(labels[labels.count - 2]) ? 3 : 2
        return labels.suffix(take).joined(separator: ".")
    }

    /// Slips' `detect_cn_url_mismatch` with the organization files in place of whois.
    static func isMismatch(cn: String, serverName: String, organizations: [WhitelistOrganization]) -> Bool {
        guard !cnMatches(cn, serverName) else { return false }
        let cnName = cn.replacing("*.", with: "")
        guard rootDomain(cnName) != rootDomain(serverName) else { return false }
        guard let cnOwner = organizations.first(where: { $0.owns(domain: cnName) }),
              let nameOwner = organizations.first(where: { $0.owns(domain: serverName) }) else { return false }
        return cnOwner.name != nameOwner.name
    }

    /// Python's `str.capitalize`: the first letter upper-case, the rest lower-case.
    static func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst().lowercased() }
}
