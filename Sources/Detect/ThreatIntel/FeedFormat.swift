/// The shapes feed files come in. `detect` picks one from a file's first lines when the feed list does not say.
public enum FeedFormat: Hashable, Sendable {
    /// One IP, CIDR, domain or URL a line; `#`, `;` and `//` comments, also after the value (Spamhaus DROP's
    /// `CIDR ; SBL…`, FireHOL netsets); hosts files (`0.0.0.0 name`, `127.0.0.1 name`).
    case lines
    /// A CSV file (quotes allowed) whose 0-based `column` holds the IP, CIDR, domain or URL; the first line is a
    /// header when `header` is true.
    case csv(column: Int, header: Bool)
    /// Slips' local IoC file: `IP/domain/IP range/ASN, threat level, description[, tag]`.
    case slipsLocalIoCs
    /// Slips' local JA3 / JARM files: `hash, threat level, description`.
    case slipsFingerprints(FingerprintKind)
    /// A CSV of fingerprints with `#` comments (abuse.ch's SSLBL JA3 `ja3_md5,Firstseen,Lastseen,Listingreason`,
    /// its SSL certificate list `Listingdate,SHA1,Listingreason`): the hash in `column`, the reason in
    /// `reasonColumn`.
    case fingerprintCSV(FingerprintKind, column: Int, reasonColumn: Int)
    /// Slips' known false-positive hashes: `description, MD5`.
    case knownFalsePositiveMD5

    /// The format of a feed whose first lines are `lines` (comments included): abuse.ch's JA3 and SSL lists are
    /// recognised by their header comment; a JA4 list (`ja4_feeds`, slipsd's addition) by its first data line
    /// starting with a JA4 fingerprint (`JA4, description…`, read as `.fingerprintCSV(.ja4, 0, 1)`); anything
    /// else is `.lines`.
    public static func detect(firstLines lines: [Substring]) -> FeedFormat {
        var sawData = false
        for line in lines.prefix(20) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if !sawData, !trimmed.isEmpty, !trimmed.hasPrefix("#") {
                sawData = true
                if let first = FeedParser.csvFields(trimmed).first, FeedParser.fingerprint(first, .ja4) != nil {
                    return .fingerprintCSV(.ja4, column: 0, reasonColumn: 1)
                }
            }
            let lower = line.lowercased()
            if lower.hasPrefix("#"), lower.contains("ja3_md5") { return .fingerprintCSV(.ja3, column: 0, reasonColumn: 3) }
            if lower.hasPrefix("#"), lower.contains("listingdate"), lower.contains("sha1") {
                return .fingerprintCSV(.sslSHA1, column: 1, reasonColumn: 2)
            }
        }
        return .lines
    }
}
