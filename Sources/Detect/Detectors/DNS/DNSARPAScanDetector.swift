import NetCore
import Records

/// Slips' `check_dns_arpa_scan` (`flow_alerts/dns.py`): a host that asks for the reverse names
/// (`….in-addr.arpa`) of `threshold` (10) different addresses within `seconds` (2) is mapping the network.
/// `DNS_ARPA_SCAN`, threat medium, confidence 0.7, attacker the querying host (SRC), no victim. Words as Slips
/// (which names its threshold, not the count): `Doing DNS ARPA scan. Scanned 10 hosts within 2 seconds.`
///
/// Per (profile, window) the distinct reverse names of the last `seconds`, each with its time and uid; a repeated
/// name is not counted again. When `threshold` distinct names fall within `seconds`, the evidence lists their
/// uids (the engine derives `attackerVerified` from them) and the list starts over. Deviation: Slips keeps every
/// arpa query of the profile from its first one and compares the first and last times, so a host whose first
/// ten lookups were slow is never reported afterwards; this detector slides the `seconds` window instead.
/// Memory: at most `threshold` names per (profile, window), all windows sharing one budget; states without
/// evidence are dropped first when it is full.
public final class DNSARPAScanDetector: Detector {
    /// The name used in config and logs; also the YAML section's name.
    public static let name = "dns_arpa_scan"
    /// What it detects, in one line.
    public static let description = "Many reverse DNS lookups within seconds (Slips' DNS_ARPA_SCAN)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `dns_arpa_scan:` section.
    public struct Settings: DetectorSettings {
        /// `threshold`: distinct reverse names at which it is a scan (Slips' `arpa_scan_threshold`, 10).
        public var threshold = 10
        /// `seconds`: the time they must fall within (Slips: 2).
        public var seconds = 2.0

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey { case threshold, seconds }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            threshold = try section.value(.threshold, default: threshold, in: 2...10_000)
            seconds = try section.value(.seconds, default: seconds, in: 0.001...3_600.0)
        }
    }

    /// Confidence of the evidence.
    static let confidence = 0.7

    /// One reverse lookup still inside the sliding window.
    struct Lookup {
        var time: PacketTime
        var name: String
        var uid: FlowUID
    }

    /// The recent reverse lookups of one profile in one window.
    struct Window: BudgetedWindowState {
        var lookups: [Lookup] = []
        var reported = false
        var budgetUnits = 0
        init() {}
        var eviction: WindowEviction {
            if reported { return .evidence }
            return lookups.count <= 1 ? .singleSighting : .noEvidence
        }
    }

    private let context: DetectorContext
    private let settings: Settings
    private(set) var windows = WindowedDetectorState<Window>(budgetUnits: 65_536, owner: DNSARPAScanDetector.name,
                                                        evictionHeadroom: 2)

    /// Subscribes to `new_dns` and `tw_closed`.
    public init(context: DetectorContext) throws {
        self.context = context
        settings = context.detectorSettings(Settings.self)
        context.subscribe(.newDNS)
        windows.subscribe(context)
    }

    /// Adds a reverse lookup to its profile's sliding window; sets evidence when the window holds `threshold`.
    public func main(_ message: ChannelMessage) throws {
        guard let dns = message.record(DNSRecord.self) else { return windows.handle(message) }
        let record = dns.record
        guard record.query.hasSuffix(".in-addr.arpa") else { return }
        let budget = windows.budget
        let threshold = settings.threshold
        let span = Int64((settings.seconds * 1_000_000).rounded())
        let uids: [FlowUID]?? = windows.withState(of: dns) { state in
            let oldest = record.time.microseconds - span
            let before = state.lookups.count
            state.lookups.removeAll { $0.time.microseconds < oldest }
            state.release(before - state.lookups.count, to: budget)
            guard !state.lookups.contains(where: { $0.name == record.query }),
                  state.reserve(cap: threshold, budget: budget) else { return nil }
            state.lookups.append(Lookup(time: record.time, name: record.query, uid: record.uid))
            guard state.lookups.count >= threshold else { return nil }
            let uids = state.lookups.map(\.uid)
            state.release(state.lookups.count, to: budget)
            state.lookups.removeAll(keepingCapacity: true)
            state.reported = true
            return uids
        }
        guard let uids = uids ?? nil else { return }
        context.setEvidence(Evidence(
            type: .DNS_ARPA_SCAN, description: describe(),
            attacker: Attacker(direction: .SRC, value: record.originator.description),
            threatLevel: .medium, confidence: Self.confidence, profile: dns.profile,
            timeWindow: dns.timeWindow, uids: uids, timestamp: record.time))
    }

    /// Drops windows that ended long ago.
    public func tick(now: PacketTime) throws { windows.tick(now: now) }

    /// Slips' words, with the threshold and the seconds.
    func describe() -> String {
        "Doing DNS ARPA scan. Scanned \(settings.threshold) hosts within \(DecimalText.format(settings.seconds)) seconds."
    }
}
