import NetCore
import Records

/// Slips' whitelist (`whitelist.conf`): IPs, CIDR networks, domains, organizations and MAC addresses, each with
/// the direction it applies to and what it ignores (`Whitelist+Parsing.swift` reads the file).
///
/// Two checks, as Slips makes them: a **flow** is dropped before detection when its source matches a line whose
/// direction covers `src`, or its destination one covering `dst`, and the line ignores `flows` or `both`; an
/// **evidence** is dropped when its attacker or victim matches (with the party's own direction) a line that
/// ignores `alerts` or `both`. Separately, every listed address, network and organization range — whatever its
/// columns — is never blocked (`neverBlocked*`), the safe reading for an inline blocker.
public struct Whitelist: Sendable {
    private(set) var addressRules: [IPAddress: WhitelistRule] = [:]
    private(set) var networkRules: [(network: CIDR, rule: WhitelistRule)] = []
    private(set) var macRules: [MACAddress: WhitelistRule] = [:]
    private(set) var domainRules: [String: WhitelistRule] = [:]
    /// Organizations named in the file, with what their files gave (`loadOrganizations`).
    public internal(set) var organizations: [WhitelistOrganization] = []
    /// True when some line (or organization) ignores flows: records must be checked before detection.
    public private(set) var filtersFlows = false

    /// An empty whitelist.
    public init() {}

    /// A whitelist of the given IPs or CIDRs, each with `rule` (by default `both,alerts`, the lines Slips ships).
    public init(networks entries: [String], rule: WhitelistRule = WhitelistRule(direction: .both, ignore: .alerts)) {
        for entry in entries { if let n = CIDR(entry) { add(n, rule) } }
    }

    mutating func add(_ network: CIDR, _ rule: WhitelistRule) {
        if network.isHost {
            addressRules[network.network] = rule
        } else {
            networkRules.removeAll { $0.network == network }
            networkRules.append((network, rule))
        }
        note(rule)
    }

    mutating func add(_ mac: MACAddress, _ rule: WhitelistRule) { macRules[mac] = rule; note(rule) }
    mutating func add(domain: String, _ rule: WhitelistRule) { domainRules[domain] = rule; note(rule) }
    mutating func add(_ organization: WhitelistOrganization) {
        organizations.removeAll { $0.name == organization.name }
        organizations.append(organization)
        note(organization.rule)
    }

    private mutating func note(_ rule: WhitelistRule) {
        if rule.ignore != .alerts { filtersFlows = true }
    }

    // MARK: what is listed

    /// Every listed single address.
    public var addresses: Set<IPAddress> { Set(addressRules.keys) }
    /// Every listed network and every range of a listed organization.
    public var networks: [CIDR] { networkRules.map(\.network) + organizations.flatMap(\.ranges) }
    /// Every listed MAC address.
    public var macs: Set<MACAddress> { Set(macRules.keys) }
    /// Every listed domain (each also covers its subdomains).
    public var domains: Set<String> { Set(domainRules.keys) }

    /// True when nothing is listed.
    public var isEmpty: Bool {
        addressRules.isEmpty && networkRules.isEmpty && macRules.isEmpty && domainRules.isEmpty && organizations.isEmpty
    }

    /// True when `ip` is listed in any way (an address, inside a network or an organization's range): such a host
    /// is never blocked.
    public func contains(_ ip: IPAddress) -> Bool { !rules(for: ip).isEmpty }

    // MARK: Slips' two checks

    /// True when a flow from `source` to `destination` is to be dropped before detection.
    public func ignoresFlow(source: IPAddress, destination: IPAddress) -> Bool {
        guard filtersFlows else { return false }
        return rules(for: source).contains { $0.applies(to: .SRC, for: .flows) }
            || rules(for: destination).contains { $0.applies(to: .DST, for: .flows) }
    }

    /// True when a record whose only known party is `host` (as its source) is to be dropped before detection.
    public func ignoresFlow(from host: IPAddress) -> Bool {
        filtersFlows && rules(for: host).contains { $0.applies(to: .SRC, for: .flows) }
    }

    /// True when a record whose destination is `host` (a DNS answer's address) is to be dropped before detection.
    public func ignoresFlow(to host: IPAddress) -> Bool {
        filtersFlows && rules(for: host).contains { $0.applies(to: .DST, for: .flows) }
    }

    /// True when a flow naming `domain` on `side` (a DNS query, an SNI, an HTTP host) is to be dropped.
    public func ignoresFlow(domain: String, side: Direction) -> Bool {
        filtersFlows && domainRulesMatching(domain).contains { $0.applies(to: side, for: .flows) }
    }

    /// True when an evidence party (`value` an IP, MAC or domain, seen on `side`) is whitelisted for alerts.
    public func ignoresEvidence(party value: String, side: Direction) -> Bool {
        rules(forValue: value).contains { $0.applies(to: side, for: .alerts) }
    }

    /// True when an evidence is whitelisted: its attacker or its victim is (Slips' `is_whitelisted_evidence`).
    public func ignores(_ evidence: Evidence) -> Bool {
        guard !isEmpty else { return false }               // the usual case: no parsing of the parties per evidence
        if ignoresEvidence(party: evidence.attacker.value, side: evidence.attacker.direction) { return true }
        guard let victim = evidence.victim else { return false }
        return ignoresEvidence(party: victim.value, side: victim.direction)
    }

    /// True when the indicator value (an IP, MAC or domain in text form) is listed in any way.
    public func contains(value: String) -> Bool { !rules(forValue: value).isEmpty }

    // MARK: lookups

    private func rules(forValue value: String) -> [WhitelistRule] {
        if let ip = IPAddress(value) { return rules(for: ip) }
        if let mac = MACAddress(value) { return macRules[mac].map { [$0] } ?? [] }
        return domainRulesMatching(value)
    }

    private func rules(for ip: IPAddress) -> [WhitelistRule] {
        var found: [WhitelistRule] = []
        if let rule = addressRules[ip] { found.append(rule) }
        for entry in networkRules where entry.network.contains(ip) { found.append(entry.rule) }
        for organization in organizations where organization.ranges.contains(where: { $0.contains(ip) }) {
            found.append(organization.rule)
        }
        return found
    }

    /// Rules of `domain` and of each parent domain (a listed domain covers its subdomains), and of
    /// organizations owning it.
    private func domainRulesMatching(_ domain: String) -> [WhitelistRule] {
        guard let name = Self.normalizedDomain(domain) else { return [] }
        var found: [WhitelistRule] = []
        var suffix = Substring(name)
        while true {
            if let rule = domainRules[String(suffix)] { found.append(rule) }
            for organization in organizations where organization.domains.contains(String(suffix)) {
                found.append(organization.rule)
            }
            guard let dot = suffix.firstIndex(of: ".") else { break }
            suffix = suffix[suffix.index(after: dot)...]
        }
        return found
    }

    /// A domain in the form lookups use: lower-case, no trailing dot; nil when it is not a domain name (letters,
    /// digits, `-` and `_` in dot-separated labels, at least two labels, at most 253 bytes, not an IP address).
    /// One pass over the bytes; a new string only when the text had upper case or a trailing dot.
    public static func normalizedDomain(_ text: String) -> String? {
        var utf8 = text.utf8[...]
        if utf8.last == UInt8(ascii: ".") { utf8 = utf8.dropLast() }
        guard !utf8.isEmpty, utf8.count <= 253 else { return nil }
        var dots = 0, labelLength = 0, upper = false, allDigitsOrDots = true
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "."):
                guard labelLength > 0 else { return nil }
                dots += 1
                labelLength = 0
                continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                allDigitsOrDots = false
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                allDigitsOrDots = false
                upper = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                break
            default:
                return nil
            }
            labelLength += 1
        }
        guard dots > 0, labelLength > 0, !allDigitsOrDots else { return nil }      // 1.2.3.4 is an address
        if !upper && utf8.count == text.utf8.count { return text }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
