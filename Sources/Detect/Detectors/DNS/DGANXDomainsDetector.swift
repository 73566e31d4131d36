import NetCore
import Records

/// Slips' `detect_dga` (`flow_alerts/dns.py`): a profile whose DNS queries come back NXDOMAIN for many different
/// names in one time window is probably running a domain generation algorithm (or scanning names).
/// `DGA_NXDOMAINS`, threat high, attacker the querying host (SRC), no victim.
///
/// Counts the distinct queried names answered NXDOMAIN per (profile, window), ignoring names ending in `.arpa`
/// (reverse lookups) and `.local` (mDNS). Evidence when the count reaches `threshold` (10) and at every further
/// multiple of `every` (5): 10, 15, 20 … Confidence as Slips: `(n − 100) / 100 + 1` rounded to two decimals,
/// clamped to [0, 1] (0.1 at 10 names, 1 from 100 on). Words as Slips:
/// `Possible DGA or domain scanning. 10.0.0.5 failed to resolve 10 different domains`. The evidence lists the uids
/// of the dns records counted since the previous evidence; the engine derives `attackerVerified` from them, so a
/// forged UDP answer never proves the querying host.
///
/// Deviation: Slips empties its list after each evidence, so its count restarts and every evidence reads 10; this
/// detector keeps the window's distinct names, so the count (and the confidence Slips' formula meant to grow)
/// keeps rising. Memory: at most `namesPerWindow` names per (profile, window), all windows sharing one budget;
/// states without evidence are dropped first when it is full, so a flood from forged sources cannot blind it.
public final class DGANXDomainsDetector: Detector {
    /// The name used in config and logs; also the YAML section's name.
    public static let name = "dga_nxdomains"
    /// What it detects, in one line.
    public static let description = "Many different NXDOMAIN answers per profile and window (Slips' DGA_NXDOMAINS)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `dga_nxdomains:` section.
    public struct Settings: DetectorSettings {
        /// `threshold`: distinct NXDOMAIN names at the first evidence (Slips' `nxdomains_threshold`, 10).
        public var threshold = 10
        /// `every`: evidence again at each multiple of this many names past the threshold (Slips: 5).
        public var every = 5

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey { case threshold, every }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            threshold = try section.value(.threshold, default: threshold, in: 1...100_000)
            every = try section.value(.every, default: every, in: 1...100_000)
        }
    }

    /// Distinct names kept per (profile, window).
    static let namesPerWindow = 4_096
    /// Most uids one evidence lists.
    static let uidsPerEvidence = 64

    /// The NXDOMAIN names of one profile in one window.
    struct Window: BudgetedWindowState {
        var names: Set<String> = []
        var pendingUIDs: [FlowUID] = []
        var reported = false
        var budgetUnits = 0
        init() {}
        var eviction: WindowEviction {
            if reported { return .evidence }
            return names.count <= 1 ? .singleSighting : .noEvidence
        }
    }

    private let context: DetectorContext
    private let settings: Settings
    private(set) var windows = WindowedDetectorState<Window>(budgetUnits: 262_144, owner: DGANXDomainsDetector.name,
                                                        evictionHeadroom: 2)

    /// Subscribes to `new_dns` and `tw_closed`.
    public init(context: DetectorContext) throws {
        self.context = context
        settings = context.detectorSettings(Settings.self)
        context.subscribe(.newDNS)
        windows.subscribe(context)
    }

    /// Counts an NXDOMAIN answer's name; sets evidence at the threshold and each multiple of `every` past it.
    public func main(_ message: ChannelMessage) throws {
        guard let dns = message.record(DNSRecord.self) else { return windows.handle(message) }
        let record = dns.record
        guard Self.counts(record) else { return }
        let budget = windows.budget
        let (threshold, every) = (settings.threshold, settings.every)
        let hit: (count: Int, uids: [FlowUID])?? = windows.withState(of: dns) { state in
            guard !state.names.contains(record.query),
                  state.reserve(cap: Self.namesPerWindow, budget: budget) else { return nil }
            state.names.insert(record.query)
            if state.pendingUIDs.count < Self.uidsPerEvidence { state.pendingUIDs.append(record.uid) }
            let count = state.names.count
            guard count >= threshold, (count - threshold) % every == 0 else { return nil }
            state.reported = true
            defer { state.pendingUIDs.removeAll(keepingCapacity: true) }
            return (count, state.pendingUIDs)
        }
        guard let hit = hit ?? nil else { return }
        context.setEvidence(Evidence(
            type: .DGA_NXDOMAINS, description: Self.describe(record.originator, count: hit.count),
            attacker: Attacker(direction: .SRC, value: record.originator.description),
            threatLevel: .high, confidence: Self.confidence(count: hit.count), profile: dns.profile,
            timeWindow: dns.timeWindow, uids: hit.uids, timestamp: record.time))
    }

    /// Drops windows that ended long ago.
    public func tick(now: PacketTime) throws { windows.tick(now: now) }

    /// An NXDOMAIN answer to a name that is not a reverse lookup or an mDNS name.
    static func counts(_ record: DNSRecord) -> Bool {
        guard let rcode = record.rcodeName, TextSearch.contains(rcode, "NXDOMAIN"), !record.query.isEmpty else { return false }
        return !record.query.hasSuffix(".arpa") && !record.query.hasSuffix(".local")
    }

    /// Slips' confidence: one hundredth per name past 100, plus 1, rounded to two decimals (then clamped).
    static func confidence(count: Int) -> Double {
        SlipsNumbers.rounded(max(0, Double(count - 100) / 100 + 1), digits: 2)
    }

    /// Slips' words.
    static func describe(_ source: IPAddress, count: Int) -> String {
        "Possible DGA or domain scanning. \(source) failed to resolve \(count) different domains"
    }
}
