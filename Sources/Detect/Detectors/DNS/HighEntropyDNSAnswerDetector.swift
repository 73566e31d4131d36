import Glibc
import NetCore
import Records

/// Slips' `check_high_entropy_dns_answers` (`flow_alerts/dns.py`): a TXT answer whose text has a Shannon entropy
/// of at least `entropy_threshold` bits per character (5) carries encoded or encrypted data — a DNS tunnel or a
/// C&C channel. `HIGH_ENTROPY_DNS_ANSWER`, confidence 0.6, as Slips' pair of evidence linked to each other: the
/// DNS server that answered as attacker (DST, threat medium, in the server's profile) and the querying host as
/// attacker (SRC, threat low, in its own profile).
///
/// The entropy is Slips' `estimate_shannon_entropy` over the whole answer as dns.log writes it
/// (`TXT <length> <text>`), per Unicode scalar. Answers to a multicast originator (mDNS devices announcing
/// themselves in TXT records) are skipped, as in Slips. Words as Slips, entropy rounded to two decimals the way
/// Python prints it: `A DNS TXT answer with high entropy. query: x.example answer: "TXT 40 …" entropy: 5.2 `.
///
/// Both evidence carry the dns record's uid: the engine derives `attackerVerified` from it, so a forged UDP
/// answer never proves the server (or the client) and never earns either a verified block. Stateless.
public final class HighEntropyDNSAnswerDetector: Detector {
    /// The name used in config and logs; also the YAML section's name.
    public static let name = "high_entropy_dns_answer"
    /// What it detects, in one line.
    public static let description = "DNS TXT answers with high Shannon entropy (Slips' HIGH_ENTROPY_DNS_ANSWER)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `high_entropy_dns_answer:` section.
    public struct Settings: DetectorSettings {
        /// `entropy_threshold`: bits per character at which a TXT answer is evidence (Slips'
        /// `flowalerts.entropy_threshold`, 5).
        public var entropyThreshold = 5.0

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey { case entropyThreshold = "entropy_threshold" }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            entropyThreshold = try section.value(.entropyThreshold, default: entropyThreshold, in: 0.0...32.0)
        }
    }

    /// Confidence of both evidence.
    static let confidence = 0.6

    private let context: DetectorContext
    private let settings: Settings

    /// Subscribes to `new_dns`.
    public init(context: DetectorContext) throws {
        self.context = context
        settings = context.detectorSettings(Settings.self)
        context.subscribe(.newDNS)
    }

    /// Sets the pair of evidence for each TXT answer at or above the threshold.
    public func main(_ message: ChannelMessage) throws {
        guard let dns = message.record(DNSRecord.self) else { return }
        let record = dns.record
        guard !record.originator.isMulticastOrBroadcast else { return }
        for answer in record.answers where TextSearch.contains(answer, "TXT") {
            let entropy = Self.shannonEntropy(answer)
            guard entropy >= settings.entropyThreshold else { continue }
            for evidence in Self.pair(dns, answer: answer, entropy: entropy) { context.setEvidence(evidence) }
        }
    }

    /// Slips' pair: the server as attacker (DST, medium) first, then the client (SRC, low).
    static func pair(_ dns: DNSMessage, answer: String, entropy: Double) -> [Evidence] {
        let record = dns.record
        let text = describe(query: record.query, answer: answer, entropy: entropy)
        let server = Evidence(
            type: .HIGH_ENTROPY_DNS_ANSWER, description: text,
            attacker: Attacker(direction: .DST, value: record.responder.description),
            threatLevel: .medium, confidence: confidence, profile: ProfileID(ip: record.responder),
            timeWindow: dns.timeWindow, uids: [record.uid], timestamp: record.time)
        let client = Evidence(
            type: .HIGH_ENTROPY_DNS_ANSWER, description: text,
            attacker: Attacker(direction: .SRC, value: record.originator.description),
            threatLevel: .low, confidence: confidence, profile: dns.profile,
            timeWindow: dns.timeWindow, uids: [record.uid], timestamp: record.time)
        return [server, client]
    }

    /// Shannon entropy in bits per Unicode scalar: −Σ pᵢ log₂ pᵢ over the scalars' frequencies; 0 when empty.
    static func shannonEntropy(_ text: String) -> Double {
        var counts: [Unicode.Scalar: Int] = [:]
        var total = 0
        for scalar in text.unicodeScalars {
            counts[scalar, default: 0] += 1
            total += 1
        }
        guard total > 0 else { return 0 }
        var entropy = 0.0
        for count in counts.values {
            let p = Double(count) / Double(total)
            entropy -= p * log2(p)
        }
        return entropy
    }

    /// Slips' words (with its trailing space).
    static func describe(query: String, answer: String, entropy: Double) -> String {
        "A DNS TXT answer with high entropy. query: \(query) answer: \"\(answer)\" "
            + "entropy: \(SlipsNumbers.pythonFloat(SlipsNumbers.rounded(entropy, digits: 2))) "
    }
}
