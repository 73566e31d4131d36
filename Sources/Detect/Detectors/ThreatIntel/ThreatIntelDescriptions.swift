import NetCore

/// Slips' evidence descriptions of the threat-intelligence module (`modules/threat_intelligence/
/// threat_intelligence.py`) and of flow_alerts' `malicious_ja3`/`malicious_ja3s` (`set_evidence.py`), word for
/// word where Slips has them. Built only when an IoC matched (never on the miss path).
enum ThreatIntelDescriptions {
    /// `connection from blacklisted IP: <ip> to <daddr>. Description: <d>. Source: <feed>.`
    static func connectionFrom(_ ip: IPAddress, to destination: IPAddress, _ source: IoCSource) -> String {
        "connection from blacklisted IP: \(ip) to \(destination). Description: \(source.description). "
            + "Source: \(source.feed)."
    }

    /// `connection to blacklisted IP: <ip> from <saddr>. Description: <d>. Source: <feed>.`
    static func connectionTo(_ ip: IPAddress, from origin: IPAddress, _ source: IoCSource) -> String {
        "connection to blacklisted IP: \(ip) from \(origin). Description: \(source.description). "
            + "Source: \(source.feed)."
    }

    /// `connection to a blacklisted domain <domain>. Description: <d>, Found in feed: <feed>, Confidence: <c>. `
    /// then `with tags: <tags>. ` when the source has tags.
    static func domain(_ domain: String, _ source: IoCSource, confidence: Double) -> String {
        "connection to a blacklisted domain \(domain). Description: \(source.description), "
            + "Found in feed: \(source.feed), Confidence: \(number(confidence)). " + tags(source)
    }

    /// `DNS answer with a blacklisted IP: <ip> for query: <query> Description: <d> Source: <feed>.`
    static func dnsAnswerIP(_ ip: IPAddress, query: String, _ source: IoCSource) -> String {
        "DNS answer with a blacklisted IP: \(ip) for query: \(query) Description: \(source.description) "
            + "Source: \(source.feed)."
    }

    /// `blacklisted CNAME: <cname> when resolving <query> Description: <d>, Found in feed: <feed>, Confidence: <c> `
    static func dnsAnswerCNAME(_ cname: String, query: String, _ source: IoCSource, confidence: Double) -> String {
        "blacklisted CNAME: \(cname) when resolving \(query) Description: \(source.description), "
            + "Found in feed: \(source.feed), Confidence: \(number(confidence)) " + tags(source)
    }

    /// slipsd's words (Slips names the type but its text was not found): `DNS answer <ip> of the blacklisted
    /// query <query>. Description: <d>, Found in feed: <feed>.`
    static func answerOfBlacklistedQuery(_ answer: String, query: String, _ source: IoCSource) -> String {
        "DNS answer \(answer) of the blacklisted query \(query). Description: \(source.description), "
            + "Found in feed: \(source.feed)."
    }

    /// `Connection to a blacklisted URL <url>. Description: <d>, Found in feed: <feed>.` (slipsd's words: Slips'
    /// URL evidence comes only from URLhaus, online).
    static func url(_ url: String, _ source: IoCSource) -> String {
        "Connection to a blacklisted URL \(url). Description: \(source.description), Found in feed: \(source.feed)."
    }

    /// `Malicious JA3: <ja3> from source address <saddr> to <daddr>.` then ` description: <d>.` and ` tags: <t>`.
    static func ja3(_ hash: String, from origin: IPAddress, to destination: String, _ source: IoCSource) -> String {
        "Malicious JA3: \(hash) from source address \(origin) to \(destination)." + fingerprintTail(source)
    }

    /// slipsd's JA4 counterpart of the JA3 text: `Malicious JA4: <ja4> from source address <saddr> to <daddr>.`
    static func ja4(_ fingerprint: String, from origin: IPAddress, to destination: String, _ source: IoCSource) -> String {
        "Malicious JA4: \(fingerprint) from source address \(origin) to \(destination)." + fingerprintTail(source)
    }

    /// `Malicious JA3s: (possible C&C server): <ja3s> to server <daddr>.` then the description and tags.
    static func ja3s(_ hash: String, server: String, _ source: IoCSource) -> String {
        "Malicious JA3s: (possible C&C server): \(hash) to server \(server)." + fingerprintTail(source)
    }

    /// `Malicious downloaded file <md5>. size: <n> bytes. File was downloaded from server: <ip>. Detected by:
    /// <feed>. Confidence: <c>. `
    static func downloadedFile(md5: String, size: UInt64, server: String, _ source: IoCSource,
                               confidence: Double) -> String {
        "Malicious downloaded file \(md5). size: \(size) bytes. File was downloaded from server: \(server). "
            + "Detected by: \(source.feed). Confidence: \(number(confidence)). "
    }

    private static func fingerprintTail(_ source: IoCSource) -> String {
        var text = ""
        if !source.description.isEmpty && source.description != "None" { text += " description: \(source.description)." }
        if !source.tags.isEmpty { text += " tags: \(source.tags.joined(separator: ", "))" }
        return text
    }

    private static func tags(_ source: IoCSource) -> String {
        source.tags.isEmpty ? "" : "with tags: \(source.tags.joined(separator: ", ")). "
    }

    /// Python's `str(float)` for the confidences used here (1 → `1`, as Slips writes the int; 0.7 → `0.7`).
    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
