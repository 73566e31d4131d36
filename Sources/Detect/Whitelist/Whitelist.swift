import NetCore
import Records

/// Hosts whose evidence is dropped and who are never blocked: IPs, CIDR networks and MAC addresses, read from a
/// file in Slips' `whitelist.conf` form (`type,value,direction,what_to_ignore`; `;` or `#` start comments).
public struct Whitelist: Sendable {
    public private(set) var addresses: Set<IPAddress> = []
    public private(set) var networks: [CIDR] = []
    public private(set) var macs: Set<MACAddress> = []

    /// An empty whitelist.
    public init() {}

    /// A whitelist of the given entries (IPs or CIDRs).
    public init(networks entries: [String]) {
        for entry in entries { if let n = CIDR(entry) { add(n) } }
    }

    private mutating func add(_ network: CIDR) {
        if network.isHost {
            addresses.insert(network.network)
        } else {
            networks.append(network)
        }
    }

    /// A whitelist-file problem: file, line and what is wrong.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var reason: String
        public var description: String { "\(file):\(line): \(reason)" }
    }

    /// Parses the text of a whitelist file (`file` names it in errors).
    public init(parsing text: String, file: String) throws(ParseError) {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix(";") || line.hasPrefix("#") || line.hasPrefix("\"IoCType\"") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: " \t\"") }
            guard fields.count >= 2 else {
                throw ParseError(file: file, line: index + 1, reason: "expected type,value[,direction,what_to_ignore], got '\(line)'")
            }
            let value = fields[1]
            switch fields[0].lowercased() {
            case "ip":
                guard let ip = IPAddress(value) else { throw ParseError(file: file, line: index + 1, reason: "'\(value)' is not an IP address") }
                addresses.insert(ip)
            case "cidr", "network", "subnet":
                guard let network = CIDR(value) else { throw ParseError(file: file, line: index + 1, reason: "'\(value)' is not a CIDR network") }
                add(network)
            case "mac":
                guard let mac = MACAddress(value) else { throw ParseError(file: file, line: index + 1, reason: "'\(value)' is not a MAC address") }
                macs.insert(mac)
            case "domain", "organization", "org":
                continue                                   // Slips' other kinds: not used by flow-level detection
            default:
                throw ParseError(file: file, line: index + 1, reason: "unknown type '\(fields[0])' (ip, cidr, mac)")
            }
        }
    }

    /// True when `ip` is listed or inside a listed network.
    public func contains(_ ip: IPAddress) -> Bool {
        addresses.contains(ip) || networks.contains { $0.contains(ip) }
    }

    /// True when the indicator value (an IP or MAC in text form) is whitelisted.
    public func contains(value: String) -> Bool {
        if let ip = IPAddress(value) { return contains(ip) }
        if let mac = MACAddress(value) { return macs.contains(mac) }
        return false
    }

    /// True when nothing is listed.
    public var isEmpty: Bool { addresses.isEmpty && networks.isEmpty && macs.isEmpty }
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
