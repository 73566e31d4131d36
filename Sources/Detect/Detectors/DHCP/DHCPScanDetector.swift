import NetCore
import Records

/// Slips' `check_dhcp_scan` (`network_discovery`): a DHCP client that asks for many different addresses in one
/// time window is scanning the DHCP server's pool (or exhausting it). `DHCP_SCAN`, threat medium, confidence 0.8,
/// attacker the client (SRC), no victim.
///
/// Counts the distinct `requested_addr` of the client's DHCP records (`new_dhcp`, from Zeek's dhcp.log or the
/// DHCP analyzer) per (profile, window); records without a requested address (DISCOVERs, OFFERs) are not
/// counted, and asking again for an address already counted is not a scan. Evidence each time the count reaches
/// a multiple of `minimum_requested_addrs` (4): 4, 8, 12 … Words as Slips:
/// `Performing a DHCP scan by requesting 4 different IP addresses. Confidence: 0.8. by Slips`.
///
/// The evidence lists the uids of the DHCP exchanges counted since the previous one (Slips empties the list):
/// UDP, so they never make the client `attackerVerified`. Memory: at most `addressesPerWindow` addresses per
/// (profile, window), all windows sharing one `StateBudget`; states without evidence are dropped first when it is
/// full. Confined to the detection thread.
public final class DHCPScanDetector: Detector {
    /// The name used in config and logs; also the YAML section's name.
    public static let name = "dhcp_scan"
    /// What it detects, in one line.
    public static let description = "A DHCP client requesting many different addresses per window (Slips' DHCP_SCAN)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `dhcp_scan:` section.
    public struct Settings: DetectorSettings {
        /// `minimum_requested_addrs`: evidence at every multiple of this many distinct requested addresses
        /// (Slips' `minimum_requested_addrs`, 4).
        public var minimumRequestedAddresses = 4

        /// Slips' value.
        public init() {}

        enum CodingKeys: String, CodingKey { case minimumRequestedAddresses = "minimum_requested_addrs" }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            minimumRequestedAddresses = try section.value(.minimumRequestedAddresses,
                                                          default: minimumRequestedAddresses, in: 1...1_000_000)
        }
    }

    /// Distinct addresses kept per (profile, window).
    static let addressesPerWindow = 4_096
    /// Most uids one evidence lists.
    static let uidsPerEvidence = 64
    /// The confidence of the evidence.
    static let confidence = 0.8

    /// The addresses one client requested in one window.
    struct Window: BudgetedWindowState {
        var requested: Set<IPAddress> = []
        var pendingUIDs: [FlowUID] = []
        var reported = false
        var budgetUnits = 0
        init() {}
        var eviction: WindowEviction {
            if reported { return .evidence }
            return requested.count <= 1 ? .singleSighting : .noEvidence
        }
    }

    private let context: DetectorContext
    private let every: Int
    private(set) var windows = WindowedDetectorState<Window>(budgetUnits: 262_144, owner: DHCPScanDetector.name,
                                                        evictionHeadroom: 2)

    /// Subscribes to `new_dhcp` and `tw_closed`.
    public init(context: DetectorContext) throws {
        self.context = context
        every = context.detectorSettings(Settings.self).minimumRequestedAddresses
        context.subscribe(Channel(DHCPRecord.self))
        windows.subscribe(context)
    }

    /// Counts a new requested address; evidence at each multiple of the minimum.
    public func main(_ message: ChannelMessage) throws {
        guard let dhcp = message.record(DHCPRecord.self) else { return windows.handle(message) }
        let record = dhcp.record
        guard let address = record.requestedAddress else { return }
        let (budget, every) = (windows.budget, self.every)
        let hit: (count: Int, uids: [FlowUID])?? = windows.withState(of: dhcp) { state in
            guard !state.requested.contains(address),
                  state.reserve(cap: Self.addressesPerWindow, budget: budget) else { return nil }
            state.requested.insert(address)
            for uid in record.uids where state.pendingUIDs.count < Self.uidsPerEvidence {
                state.pendingUIDs.append(uid)
            }
            let count = state.requested.count
            guard count % every == 0 else { return nil }
            state.reported = true
            defer { state.pendingUIDs.removeAll(keepingCapacity: true) }
            return (count, state.pendingUIDs)
        }
        guard let hit = hit ?? nil else { return }
        let client = dhcp.profile.ip
        context.setEvidence(Evidence(
            type: .DHCP_SCAN, description: Self.describe(count: hit.count),
            attacker: Attacker(direction: .SRC, value: client.description),
            threatLevel: .medium, confidence: Self.confidence, profile: dhcp.profile,
            timeWindow: dhcp.timeWindow, uids: hit.uids, timestamp: record.time))
    }

    /// Drops windows that ended long ago.
    public func tick(now: PacketTime) throws { windows.tick(now: now) }

    /// Slips' words.
    static func describe(count: Int) -> String {
        "Performing a DHCP scan by requesting \(count) different IP addresses. "
            + "Confidence: \(SlipsNumbers.pythonFloat(confidence)). by Slips"
    }
}
