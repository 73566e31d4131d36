import NetCore

extension Whitelist {
    /// A whitelist-file problem: file, line and what is wrong.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var reason: String
        public var description: String { "\(file):\(line): \(reason)" }
    }

    /// Parses the text of a whitelist file in Slips' form (`file` names it in errors): lines
    /// `type,value,direction,what_to_ignore` with type `ip`, `domain`, `organization` (or `org`) or `mac` —
    /// slipsd also takes `cidr` networks —, direction `src|dst|both` and what to ignore `alerts|flows|both`
    /// (both default to `both` when the columns are missing). `;` starts a comment, `#` a commented-out entry,
    /// the `"IoCType",…` header is skipped, spaces and quotes around fields are dropped, a later line for the
    /// same value replaces an earlier one. Organizations get their ranges, domains and AS numbers from
    /// `loadOrganizations`.
    public init(parsing text: String, file: String) throws(ParseError) {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix(";") || line.hasPrefix("#") || line.hasPrefix("\"IoCType\"") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: " \t\"") }
            let fail = { (reason: String) in ParseError(file: file, line: index + 1, reason: reason) }
            guard fields.count >= 2, fields.count <= 4 else {
                throw fail("expected type,value[,direction,what_to_ignore], got '\(line)'")
            }
            let kind = fields[0].lowercased()
            guard Self.kinds.contains(kind) else {
                throw fail("unknown type '\(fields[0])' (ip, cidr, domain, organization, mac)")
            }
            let rule = try Self.rule(fields, fail)
            let value = fields[1]
            switch kind {
            case "ip":
                guard let ip = IPAddress(value) else { throw fail("'\(value)' is not an IP address") }
                add(CIDR(host: ip), rule)
            case "cidr", "network", "subnet":
                guard let network = CIDR(value) else { throw fail("'\(value)' is not a CIDR network") }
                add(network, rule)
            case "mac":
                guard let mac = MACAddress(value) else { throw fail("'\(value)' is not a MAC address") }
                add(mac, rule)
            case "domain":
                guard let domain = Self.normalizedDomain(value) else { throw fail("'\(value)' is not a domain name") }
                add(domain: domain, rule)
            case "organization", "org":
                let name = value.lowercased()
                guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
                    throw fail("'\(value)' is not an organization name")
                }
                add(WhitelistOrganization(name: name, rule: rule))
            default:
                throw fail("unknown type '\(fields[0])' (ip, cidr, domain, organization, mac)")
            }
        }
    }

    private static let kinds: Set<String> = ["ip", "cidr", "network", "subnet", "mac", "domain", "organization", "org"]

    private static func rule(_ fields: [String], _ fail: (String) -> ParseError) throws(ParseError) -> WhitelistRule {
        var rule = WhitelistRule()
        if fields.count > 2, !fields[2].isEmpty {
            guard let direction = WhitelistDirection(rawValue: fields[2].lowercased()) else {
                throw fail("unknown direction '\(fields[2])' (src, dst, both)")
            }
            rule.direction = direction
        }
        if fields.count > 3, !fields[3].isEmpty {
            guard let ignore = WhitelistIgnore(rawValue: fields[3].lowercased()) else {
                throw fail("unknown type of ignoring '\(fields[3])' (alerts, flows, both)")
            }
            rule.ignore = ignore
        }
        return rule
    }

    /// Fills every organization from its files, read by `read` (a file name → its text, nil when absent):
    /// `<org>` (IP ranges), `<org>_domains` and `<org>_asn`.
    /// - Returns: one line per organization saying what was loaded, or that nothing was found.
    public mutating func loadOrganizations(_ read: (String) -> String?) -> [String] {
        var lines: [String] = []
        for index in organizations.indices {
            let name = organizations[index].name
            let skipped = organizations[index].load(ranges: read(name), domains: read(name + "_domains"),
                                                    asNumbers: read(name + "_asn"))
            let loaded = organizations[index]
            lines.append(loaded.isEmpty
                ? "whitelisted organization '\(name)': no files \(name), \(name)_domains, \(name)_asn found; it matches nothing"
                : "whitelisted organization '\(name)': \(loaded.ranges.count) IP ranges, \(loaded.domains.count) domains, "
                  + "\(loaded.asNumbers.count) AS numbers" + (skipped > 0 ? " (\(skipped) lines that are not networks skipped)" : ""))
        }
        return lines
    }
}
