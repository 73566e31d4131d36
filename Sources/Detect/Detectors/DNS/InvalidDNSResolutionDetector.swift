import NetCore
import Records

/// Slips' `check_invalid_dns_answers` (`flow_alerts/dns.py`): a DNS answer that resolves a public name to a private
/// address (a Pi-hole's block page, or DNS rebinding). `INVALID_DNS_RESOLUTION`, threat info, confidence 0.8,
/// attacker the querying host (SRC), victim the queried domain (DST, a domain), one evidence per private answer.
///
/// Private is Slips' `is_private_ip` (`IPAddress.isPrivateAsSlips`). Skipped as in Slips: the query `localhost`,
/// names ending in `.local` (mDNS) and in `.arpa` (reverse lookups, which may answer private addresses in
/// dual-stack networks). Words as Slips:
/// `Invalid DNS answer. The DNS query intranet.example was resolved to the private IP: 10.0.0.7`.
/// The evidence carries the dns record's uid (the engine derives `attackerVerified` from it). Info evidence never
/// adds to an alert. Stateless.
public final class InvalidDNSResolutionDetector: Detector {
    /// The name used in config and logs.
    public static let name = "invalid_dns_resolution"
    /// What it detects, in one line.
    public static let description = "DNS answers resolving a name to a private IP (Slips' INVALID_DNS_RESOLUTION)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// Confidence of the evidence.
    static let confidence = 0.8

    private let context: DetectorContext

    /// Subscribes to `new_dns`.
    public init(context: DetectorContext) throws {
        self.context = context
        context.subscribe(.newDNS)
    }

    /// Sets one evidence per answer that is a private address, unless the query is one of the exclusions.
    public func main(_ message: ChannelMessage) throws {
        guard let dns = message.record(DNSRecord.self) else { return }
        let record = dns.record
        guard !record.answers.isEmpty, !Self.isExcluded(record.query) else { return }
        for answer in record.answers {
            guard let address = IPAddress(answer), address.isPrivateAsSlips else { continue }
            context.setEvidence(Evidence(
                type: .INVALID_DNS_RESOLUTION,
                description: "Invalid DNS answer. The DNS query \(record.query) was resolved to the private IP: \(answer)",
                attacker: Attacker(direction: .SRC, value: record.originator.description),
                victim: Victim(direction: .DST, iocType: .DOMAIN, value: record.query),
                threatLevel: .info, confidence: Self.confidence, profile: dns.profile,
                timeWindow: dns.timeWindow, uids: [record.uid], timestamp: record.time))
        }
    }

    /// `localhost`, mDNS names and reverse lookups may rightly answer private addresses.
    static func isExcluded(_ query: String) -> Bool {
        query == "localhost" || query.hasSuffix(".local") || query.hasSuffix(".arpa")
    }
}
