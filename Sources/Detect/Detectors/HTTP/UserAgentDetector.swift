import NetCore
import Records

/// Slips' user-agent checks of its HTTP analyzer (`check_multiple_user_agents_in_a_row`,
/// `check_incompatible_user_agent`), on http records (`new_http`):
///
/// - `MULTIPLE_USER_AGENT` (info, 1): the profile's user agent (the first one it sent, as Slips keeps it) names an
///   operating system, and a later request's user agent contains neither that system's family nor its name:
///   `Using multiple user-agents: "<first>" then "<this one>"`.
/// - `INCOMPATIBLE_USER_AGENT` (high, 1): the profile's user agent does not fit the vendor of its MAC address
///   (from its flows' source MAC, looked up in `mac_vendors_file`): Safari on a host whose vendor is not Apple,
///   or a system of another family than the vendor's (Apple: macOS/iOS words; Microsoft: Windows; Google:
///   Android), with Slips' keyword lists matched as whole words (deviation: Slips matches substrings, so `nt`
///   is found in every `Macintosh`): `using incompatible user-agent (<ua>) that belongs to OS: <name> type:
///   <type> browser: <browser>. while connecting to <host><uri>. IP has MAC vendor: <Vendor>`.
///
/// Slips reads the operating system of the first user agent from useragentstring.com; offline it stores nothing
/// and neither check ever fires. slipsd reads it from the text (`UserAgentInfo`). Each check reports once per
/// (profile, window) and user agent (Slips: every request). Evidence carries the http record's uid (an HTTP
/// request rides a completed handshake, so the attacker is verified when the flow was). Memory: the first user
/// agent of at most `max_tracked_hosts` profiles, their MACs and the reported keys, in `BoundedKeyMap`s; the vendor
/// table (one entry per OUI of the file, ~50,000). Confined to the detection thread.
public final class UserAgentDetector: Detector {
    /// The name used in config and logs; also the YAML section's name.
    public static let name = "user_agents"
    /// What it detects, in one line.
    public static let description = "User agents that change OS or do not fit the MAC vendor (Slips' MULTIPLE_USER_AGENT, INCOMPATIBLE_USER_AGENT)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `user_agents:` section.
    public struct Settings: DetectorSettings {
        /// `mac_vendors_file`: a Wireshark manuf file (empty or absent: no MAC vendors, no INCOMPATIBLE_USER_AGENT).
        public var macVendorsFile = "/usr/share/wireshark/manuf"
        /// `max_tracked_hosts`: profiles whose first user agent and MAC are remembered.
        public var maxTrackedHosts = 65_536

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey { case macVendorsFile = "mac_vendors_file", maxTrackedHosts = "max_tracked_hosts" }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            macVendorsFile = try section.value(.macVendorsFile, default: macVendorsFile)
            maxTrackedHosts = try section.value(.maxTrackedHosts, default: maxTrackedHosts, in: 1...10_000_000)
        }
    }

    /// A reported (profile, user agent, check).
    struct Report: Hashable {
        var host: IPAddress
        var userAgent: String
        var incompatible: Bool
    }

    /// Slips' keyword families: no user agent should hold words of one family on a host of another's vendor.
    static let osKeywords: [[String]] = [
        ["macos", "ios", "apple", "os x", "mac", "macintosh", "darwin"],
        ["microsoft", "windows", "nt"],
        ["android", "google"],
    ]

    private let context: DetectorContext
    private let settings: Settings
    var vendors = MACVendors()
    private(set) var firstUserAgent: BoundedKeyMap<IPAddress, UserAgentInfo>
    private(set) var macOfHost: BoundedKeyMap<IPAddress, MACAddress>
    private(set) var reported: BoundedKeyMap<Report, Int>

    /// Subscribes to `new_http` and `new_flow` (a host's MAC).
    public init(context: DetectorContext) throws {
        self.context = context
        settings = context.detectorSettings(Settings.self)
        firstUserAgent = BoundedKeyMap(capacity: settings.maxTrackedHosts)
        macOfHost = BoundedKeyMap(capacity: settings.maxTrackedHosts)
        reported = BoundedKeyMap(capacity: settings.maxTrackedHosts)
        context.subscribe(Channel(HTTPRecord.self))
        context.subscribe(.newFlow)
    }

    /// Reads the MAC vendors file, when there is one (a missing file is said once and disables the vendor check).
    public func preMain() throws {
        let path = settings.macVendorsFile
        guard !path.isEmpty else { return }
        do {
            vendors = MACVendors(manuf: try TextFile.read(path, limit: 16 << 20))
        } catch {
            context.print("user_agents: no MAC vendors (\(path): \(error)); INCOMPATIBLE_USER_AGENT is off", verbose: 1)
        }
    }

    /// Learns hosts' MACs; runs both checks on an HTTP request.
    public func main(_ message: ChannelMessage) throws {
        if let flow = message.flow {
            let record = flow.flow
            // A MAC is the host's own only for a local host whose handshake was proven: an outside address
            // arrives with the router's MAC, and a forged packet could pair any address with any MAC.
            if record.handshake, record.originator.isPrivate, record.originatorMAC != .zero,
               macOfHost[record.originator] == nil {
                macOfHost.set(record.originatorMAC, for: record.originator)
            }
            return
        }
        guard let http = message.record(HTTPRecord.self), let client = http.record.id.originator,
              !http.record.userAgent.isEmpty else { return }
        let userAgent = http.record.userAgent
        guard let cached = firstUserAgent[client] else {
            firstUserAgent.set(UserAgentInfo(userAgent), for: client)
            return checkIncompatible(http, client: client)
        }
        if Self.isAnotherSystem(cached: cached, userAgent: userAgent),
           firstReport(Report(host: client, userAgent: userAgent, incompatible: false), http.timeWindow) {
            context.setEvidence(evidence(http, client: client, type: .MULTIPLE_USER_AGENT,
                                         description: "Using multiple user-agents: \"\(cached.userAgent)\" then \"\(userAgent)\"",
                                         threatLevel: .info))
        }
        checkIncompatible(http, client: client)
    }

    /// Slips' test: the cached user agent's system type and name both absent from `userAgent` (an empty one is
    /// in every text, so a cached agent naming no system never differs).
    static func isAnotherSystem(cached: UserAgentInfo, userAgent: String) -> Bool {
        guard !cached.osType.isEmpty, !cached.osName.isEmpty else { return false }
        return !userAgent.contains(cached.osType) && !userAgent.contains(cached.osName)
    }

    /// Slips' `check_incompatible_user_agent` on the vendor and the profile's first user agent.
    static func isIncompatible(vendor rawVendor: String, info: UserAgentInfo) -> Bool {
        let vendor = words(rawVendor)
        if info.browser.lowercased().contains("safari"), !vendor.contains(" apple ") { return true }
        guard let own = osKeywords.firstIndex(where: { family in family.contains { vendor.contains(" \($0) ") } }) else {
            return false
        }
        let system = words("\(info.osName) \(info.osType)")
        return osKeywords.indices.contains { index in
            index != own && osKeywords[index].contains { system.contains(" \($0) ") }
        }
    }

    /// The text lower-case, its words separated by single spaces and framed by one (so `" nt "` matches the
    /// word only: Slips' substring test finds `nt` in `Macintosh` and `Intel`, and would call every Mac and every
    /// Intel NIC incompatible).
    static func words(_ text: String) -> String {
        let parts = text.lowercased().split { !$0.isLetter && !$0.isNumber }
        return " " + parts.joined(separator: " ") + " "
    }

    private func checkIncompatible(_ http: RecordMessage<HTTPRecord>, client: IPAddress) {
        guard let mac = macOfHost[client], let vendor = vendors.vendor(of: mac), let info = firstUserAgent[client],
              Self.isIncompatible(vendor: vendor, info: info),
              firstReport(Report(host: client, userAgent: info.userAgent, incompatible: true), http.timeWindow)
        else { return }
        let record = http.record
        let text = "using incompatible user-agent (\(info.userAgent)) that belongs to OS: \(info.osName.lowercased()) "
            + "type: \(info.osType.lowercased()) browser: \(info.browser.lowercased()). "
            + "while connecting to \(record.host)\(record.uri). "
            + "IP has MAC vendor: \(TLSCertificateDetector.capitalized(vendor))"
        context.setEvidence(evidence(http, client: client, type: .INCOMPATIBLE_USER_AGENT, description: text,
                                     threatLevel: .high))
    }

    private func firstReport(_ key: Report, _ window: TimeWindow) -> Bool {
        if reported[key] == window.number { return false }
        reported.set(window.number, for: key)
        return true
    }

    private func evidence(_ http: RecordMessage<HTTPRecord>, client: IPAddress, type: EvidenceType,
                          description: String, threatLevel: ThreatLevel) -> Evidence {
        let record = http.record
        return Evidence(type: type, description: description,
                        attacker: Attacker(direction: .SRC, value: client.description),
                        threatLevel: threatLevel, confidence: 1, profile: ProfileID(ip: client),
                        timeWindow: http.timeWindow, uids: [record.uid], timestamp: record.time,
                        srcPort: record.id.originatorPort, dstPort: record.id.responderPort, proto: .tcp)
    }
}
