import NetCore

/// Parses the text of one feed or local IoC file into entries. Total: a line that holds no indicator is counted
/// (and the first few reported with their line numbers), never fatal.
public struct FeedParser {
    /// What a parse gave.
    public struct Result: Sendable {
        public var entries: [FeedEntry] = []
        /// Lines that held no usable indicator (comments and blank lines not counted).
        public var rejectedLines = 0
        /// The first rejected lines: number and why.
        public var firstProblems: [(line: Int, reason: String)] = []
    }

    /// How many rejected lines are described by number.
    public static let describedProblems = 5

    public let format: FeedFormat

    /// A parser for `format`.
    public init(format: FeedFormat) { self.format = format }

    /// Parses `text`, keeping the entries.
    public func parse(_ text: String) -> Result {
        var entries: [FeedEntry] = []
        var result = parse(text) { entries.append($0) }
        result.entries = entries
        return result
    }

    /// Parses `text`, handing each entry to `body` as it is read (nothing kept): the way large feeds are loaded.
    /// - Returns: the counts and first problems (`entries` empty).
    public func parse(_ text: String, _ body: (FeedEntry) -> Void) -> Result {
        var result = Result()
        var lineNumber = 0
        var skippedHeader = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Self.trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") || line.hasPrefix("//") { continue }
            if case .csv(_, true) = format, !skippedHeader { skippedHeader = true; continue }
            switch entry(line) {
            case .success(let entry?):
                body(entry)
            case .success(nil):
                continue
            case .failure(let problem):
                result.rejectedLines += 1
                if result.firstProblems.count < Self.describedProblems {
                    result.firstProblems.append((lineNumber, problem.reason))
                }
            }
        }
        return result
    }

    /// `line` without surrounding spaces, tabs and carriage returns (no copy).
    static func trimmed(_ line: Substring) -> Substring {
        var slice = line
        while let first = slice.first, first == " " || first == "\t" || first == "\r" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return slice
    }

    struct Problem: Error { var reason: String }

    private func entry(_ line: Substring) -> Swift.Result<FeedEntry?, Problem> {
        switch format {
        case .lines:
            return indicator(inListLine: line).map { FeedEntry($0) }.map(Swift.Result.success)
                ?? .failure(Problem(reason: "no IP, network, domain, URL or ASN in '\(line.prefix(60))'"))
        case .csv(let column, _):
            let fields = Self.csvFields(line)
            guard column < fields.count, let ioc = Self.indicatorOrASN(fields[column]) else {
                return .failure(Problem(reason: "column \(column + 1) holds no IP, network, domain, URL or ASN"))
            }
            return .success(FeedEntry(ioc))
        case .slipsLocalIoCs:
            let fields = Self.csvFields(line)
            guard fields.count >= 2 else { return .failure(Problem(reason: "expected IoC, threat level, description")) }
            guard let ioc = Self.indicator(fields[0]) ?? Self.asn(fields[0]) else {
                return .failure(Problem(reason: "'\(fields[0].prefix(60))' is no IP, range, domain or ASN"))
            }
            guard let level = ThreatLevel(rawValue: fields[1].lowercased()) else {
                return .failure(Problem(reason: "unknown threat level '\(fields[1])' (info, low, medium, high, critical)"))
            }
            return .success(FeedEntry(ioc, threatLevel: level, description: fields.count > 2 ? fields[2] : nil))
        case .slipsFingerprints(let kind):
            let fields = Self.csvFields(line)
            guard fields.count >= 2, let hash = Self.fingerprint(fields[0], kind) else {
                return .failure(Problem(reason: "expected a \(kind.rawValue) hash, threat level, description"))
            }
            guard let level = ThreatLevel(rawValue: fields[1].lowercased()) else {
                return .failure(Problem(reason: "unknown threat level '\(fields[1])' (info, low, medium, high, critical)"))
            }
            return .success(FeedEntry(.fingerprint(kind, hash), threatLevel: level,
                                      description: fields.count > 2 ? fields[2] : nil))
        case .fingerprintCSV(let kind, let column, let reasonColumn):
            let fields = Self.csvFields(line)
            guard column < fields.count, let hash = Self.fingerprint(fields[column], kind) else {
                return .failure(Problem(reason: "column \(column + 1) holds no \(kind.rawValue) hash"))
            }
            return .success(FeedEntry(.fingerprint(kind, hash),
                                      description: reasonColumn < fields.count ? fields[reasonColumn] : nil))
        case .knownFalsePositiveMD5:
            let fields = Self.csvFields(line)
            guard let last = fields.last, let hash = Self.fingerprint(last, .md5) else {
                return .failure(Problem(reason: "expected description, MD5"))
            }
            return .success(FeedEntry(.fingerprint(.md5, hash), description: fields.dropLast().joined(separator: ",")))
        }
    }

    /// The indicator of a list line: the first value before whitespace or a comment, or a hosts-file name.
    private func indicator(inListLine line: Substring) -> IoC? {
        var value = line
        if let cut = Self.commentStart(value) { value = value[..<cut] }
        let tokens = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = tokens.first else { return nil }
        if tokens.count >= 2, ["0.0.0.0", "127.0.0.1", "::", "::1"].contains(first) {
            return Self.indicator(String(tokens[1]))               // hosts file
        }
        return Self.indicatorOrASN(String(first))
    }

    /// Where a trailing comment starts: `;` anywhere, `#` or `//` after whitespace.
    static func commentStart(_ text: Substring) -> Substring.Index? {
        var previous: Character = " "
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == ";" { return index }
            if previous == " " || previous == "\t" {
                if character == "#" { return index }
                if character == "/", text[text.index(after: index)...].hasPrefix("/") { return index }
            }
            previous = character
            index = text.index(after: index)
        }
        return nil
    }

    /// An IP, CIDR, URL or domain.
    static func indicator(_ text: String) -> IoC? {
        let value = text.trimmingCharacters(in: " \t\"'")
        if value.isEmpty { return nil }
        if let network = CIDR(value) { return .network(network) }
        if value.contains("://") { return .url(value) }
        if let domain = Whitelist.normalizedDomain(value) { return .domain(domain) }
        return nil
    }

    /// An IP, CIDR, URL, domain or AS number (`AS64500`): what a feed line or column may hold. AS numbers
    /// give evidence only (the destination's AS, `THREAT_INTELLIGENCE_BLACKLISTED_ASN`); a blocking feed's
    /// kernel sets take its networks alone.
    static func indicatorOrASN(_ text: String) -> IoC? {
        indicator(text) ?? asn(text.trimmingCharacters(in: " \t\"'"))
    }

    /// `AS64500` or `as64500`.
    static func asn(_ text: String) -> IoC? {
        let value = text.uppercased()
        guard value.hasPrefix("AS"), value.count > 2, value.dropFirst(2).allSatisfy({ $0 >= "0" && $0 <= "9" }),
              UInt32(value.dropFirst(2)) != nil else { return nil }             // AS numbers are 32 bits
        return .asn(value)
    }

    /// A hex fingerprint of the kind's length (JA4 is its own `a_b_c` shape), lower-case.
    static func fingerprint(_ text: String, _ kind: FingerprintKind) -> String? {
        let value = text.trimmingCharacters(in: " \t\"'").lowercased()
        let hex = { (count: Int) in value.count == count && value.allSatisfy(\.isHexDigit) }
        switch kind {
        case .ja3, .ja3s, .md5: return hex(32) ? value : nil
        case .sslSHA1: return hex(40) ? value : nil
        case .sha256: return hex(64) ? value : nil
        case .jarm: return hex(62) ? value : nil
        case .ja4:
            let parts = value.split(separator: "_", omittingEmptySubsequences: false)
            return parts.count == 3 && parts[0].count == 10 && parts[1].count == 12 && parts[2].count == 12 ? value : nil
        }
    }

    /// The fields of a CSV line, quotes and surrounding spaces removed (no embedded separators in quotes:
    /// feeds do not use them).
    static func csvFields(_ line: Substring) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: " \t\"'") }
    }
}
