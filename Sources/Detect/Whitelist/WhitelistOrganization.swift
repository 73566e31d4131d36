import NetCore

/// An organization named in a whitelist (`organization,google,both,alerts`) with what it owns: IP ranges,
/// domains and AS numbers, read from the organization files (`<org>`, `<org>_domains`, `<org>_asn`, one entry a
/// line, as Slips keeps them). An organization without files matches nothing.
public struct WhitelistOrganization: Sendable {
    /// The organization's name, lower-case.
    public var name: String
    /// The line's direction and ignore columns.
    public var rule: WhitelistRule
    /// Its IP ranges.
    public var ranges: [CIDR] = []
    /// Its domains (each also covers its subdomains).
    public var domains: [String] = []
    /// Its AS numbers as written in the file (`AS15169`), upper-case.
    public var asNumbers: [String] = []

    /// An organization with nothing loaded yet.
    public init(name: String, rule: WhitelistRule) {
        self.name = name
        self.rule = rule
    }

    /// True when nothing was loaded for it.
    public var isEmpty: Bool { ranges.isEmpty && domains.isEmpty && asNumbers.isEmpty }

    /// Fills ranges, domains and AS numbers from the texts of the organization's three files (nil: no file).
    /// Lines that are not a network (ranges file) are skipped and counted.
    /// - Returns: how many lines were skipped.
    @discardableResult
    public mutating func load(ranges rangesText: String?, domains domainsText: String?, asNumbers asText: String?) -> Int {
        var skipped = 0
        for line in Self.lines(rangesText) {
            if let network = CIDR(line) { ranges.append(network) } else { skipped += 1 }
        }
        domains = Self.lines(domainsText).compactMap(Whitelist.normalizedDomain)
        asNumbers = Self.lines(asText).map { $0.uppercased() }
        return skipped
    }

    private static func lines(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: " \t\r") }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix(";") }
    }
}
