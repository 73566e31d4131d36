import NetCore
import Records

/// ARP scans: one sender broadcasting ARP requests for many distinct IPs in a short time (Slips' `arp` module,
/// scan part).
///
/// `ARP_SCAN` when one sender asks for at least `arp.arp_scan_threshold` (5) distinct target IPs whose
/// latest requests all lie within `arp.arp_scan_interval` (30 s, inclusive) of packet time.
///
/// Counted: ARP requests (operation 1) sent to the Ethernet broadcast address (or with no MAC known, as in cooked
/// captures). Not counted: replies; gratuitous ARP (sender IP == target IP); ARP probes (sender IP 0.0.0.0, RFC
/// 5227); unicast requests, which the Linux neighbour cache sends to confirm hosts it already knows — a busy
/// gateway refreshes dozens of neighbours a minute that way and is no scanner.
///
/// Reported once per burst: a burst lasts while the sender keeps sending counted requests with gaps of at most
/// the interval; a scan that goes on into a new time window is reported again there (evidence belongs to a
/// window). Threat low, confidence 0.8 and the description `performing an arp scan. Confidence 0.8.`, as Slips'
/// `arp` module: a burst of broadcast requests for many addresses is what ARP scanners do, yet a host that just
/// joined (or a router after its cache expired) can resolve several neighbours at once. Attacker: the sender IP;
/// no victim; no uids (ARP packets are not flows).
///
/// Memory: per sender, the `threshold` most recently requested distinct targets (enough to decide), at most
/// `maxSenders` senders (measured: 65,536 senders with 4 targets each ≈ 13 MB resident, ~200 bytes a sender).
/// Senders silent for longer than the interval are dropped by `tick` and, at most once a second of packet time,
/// when the table is full; when it is still full, a sender without evidence is dropped to make room — the oldest
/// that asked for a single target first, then the oldest other one — so a flood of forged senders cannot hide a
/// real scan; senders reported in their current burst go last (oldest first). Requests of new senders are not
/// counted (`refusedSenders`) only when no sender can be dropped. Senders are counted in a `StateBudget` of
/// `maxSenders` units (`budgetStatistics`: drops and refusals; each logged once per episode).
///
/// Confined to the detection thread.
public final class ARPScanDetector: Detector {
    /// The name used in config (`modules.disable`) and logs.
    public static let name = "arp"
    /// What it detects, in one line.
    public static let description = "Detects ARP scans: one sender asking for many IPs in a short time"
    /// Who wrote it.
    public static let authors = ["slipsd"]

    /// The `arp:` section.
    public struct Settings: DetectorSettings, Equatable {
        /// `arp_scan_threshold`: distinct target IPs …
        public var scanThreshold = 5
        /// `arp_scan_interval`: … requested within this many seconds.
        public var scanInterval = 30.0

        /// The defaults (5 targets in 30 s).
        public init() {}
        /// Creates settings with the given threshold and interval (seconds).
        public init(scanThreshold: Int, scanInterval: Double) {
            self.scanThreshold = scanThreshold; self.scanInterval = scanInterval
        }

        /// The older `detection.arp_scan_threshold` and `detection.arp_scan_interval`.
        public static let legacyDetectionKeys = ["arp_scan_threshold": "arp_scan_threshold",
                                                 "arp_scan_interval": "arp_scan_interval"]

        enum CodingKeys: String, CodingKey {
            case scanThreshold = "arp_scan_threshold", scanInterval = "arp_scan_interval"
        }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            scanThreshold = try section.value(.scanThreshold, default: scanThreshold, in: 1...1_000_000)
            scanInterval = try section.value(.scanInterval, default: scanInterval, in: 0.001...86400)
        }
    }

    /// Senders tracked at once.
    public static let maxSenders = 65_536
    /// The confidence of `ARP_SCAN` evidence.
    public static let confidence = 0.8

    private struct Request {
        var target: IPAddress
        var time: PacketTime
    }

    private struct Sender {
        /// Distinct targets by the time of their latest request, oldest first; at most `threshold`.
        var recent: [Request] = []
        var lastRequest = PacketTime.zero
        var reportedInBurst = false
        var reportedWindow = 0
    }

    private let context: DetectorContext
    private let threshold: Int
    private let interval: Duration
    private var senders: [IPAddress: Sender] = [:]
    private var sweeps: SweepSchedule
    /// One unit per sender tracked.
    private let budget = StateBudget(limit: ARPScanDetector.maxSenders, owner: ARPScanDetector.name)
    /// Senders in the order they were added (single targets, or not yet looked at) …
    private var fresh = EvictionQueue<IPAddress>()
    /// … those found to have asked for more than one target …
    private var seasoned = EvictionQueue<IPAddress>()
    /// … and those found reported in their burst (dropped last).
    private var reported = EvictionQueue<IPAddress>()
    /// When the table, full, was last swept for silent senders.
    private var lastFullSweep: PacketTime?
    /// Requests not counted because the sender table was full.
    private(set) var refusedSenders = 0

    /// Senders tracked now.
    var senderCount: Int { senders.count }

    /// The sender budget's counters: senders held and at most held, refusals, senders dropped to make room.
    public var budgetStatistics: StateBudgetStatistics { budget.statistics }

    /// Subscribes to `new_arp`; reads the `arp:` settings.
    public init(context: DetectorContext) {
        self.context = context
        let settings = context.detectorSettings(Settings.self)
        threshold = max(1, settings.scanThreshold)
        interval = .microseconds(Int64(max(0, settings.scanInterval) * 1_000_000))
        sweeps = SweepSchedule(interval: interval > .seconds(1) ? interval : .seconds(1))
        context.subscribe(.newARP)
    }

    /// Handles one ARP packet.
    public func main(_ message: ChannelMessage) {
        guard let arp = message.arp else { return }
        handle(arp)
    }

    /// Drops senders that have been silent for longer than the interval.
    public func tick(now: PacketTime) {
        if sweeps.isDue(now: now) { dropSilentSenders(now: now) }
    }

    private func dropSilentSenders(now: PacketTime) {
        let interval = self.interval
        let before = senders.count
        senders = senders.filter { now - $0.value.lastRequest <= interval }
        budget.release(before - senders.count)
        let queued = fresh.count + seasoned.count + reported.count
        if queued > 1024, queued > 2 * senders.count {
            fresh.removeAll { senders[$0] == nil }
            seasoned.removeAll { senders[$0] == nil }
            reported.removeAll { senders[$0] == nil }
        }
    }

    /// Drops one sender: the oldest single-target one without evidence, else the oldest other one without
    /// evidence, else the oldest reported one; false when the table holds no sender at all.
    private func evictSender() -> Bool {
        while let ip = fresh.popFirst() {
            guard let sender = senders[ip] else { continue }
            if sender.reportedInBurst {
                reported.append(ip)
            } else if sender.recent.count > 1 {
                seasoned.append(ip)
            } else {
                return evict(ip)
            }
        }
        while let ip = seasoned.popFirst() {
            guard let sender = senders[ip] else { continue }
            if sender.reportedInBurst {
                reported.append(ip)
                continue
            }
            return evict(ip)
        }
        while let ip = reported.popFirst() {
            guard senders[ip] != nil else { continue }
            return evict(ip)
        }
        return false
    }

    private func evict(_ ip: IPAddress) -> Bool {
        senders[ip] = nil
        budget.recordEviction(units: 1)
        budget.release(1)
        return true
    }

    private func handle(_ arp: ARPMessage) {
        guard arp.operation == 1,
              arp.senderIP != .zeroIPv4,
              arp.senderIP != arp.targetIP,
              arp.destinationMAC == .broadcast || arp.destinationMAC == .zero
        else { return }
        if senders[arp.senderIP] == nil {
            // The silent-sender sweep walks the whole table: at most once a second of packet time while full.
            if budget.free == 0, lastFullSweep.map({ arp.time - $0 >= .seconds(1) }) ?? true {
                lastFullSweep = arp.time
                dropSilentSenders(now: arp.time)
            }
            if budget.free == 0 { _ = evictSender() }
            guard budget.reserve() else {
                refusedSenders += 1
                return
            }
            fresh.append(arp.senderIP)
        }
        let threshold = self.threshold
        let interval = self.interval
        let burst: [Request]? = Self.record(arp, in: &senders[arp.senderIP, default: Sender()],
                                            threshold: threshold, interval: interval)
        if let burst { emit(arp, burst) }
    }

    /// Adds one request to a sender; returns the requests of the burst when it must be reported.
    private static func record(_ arp: ARPMessage, in sender: inout Sender, threshold: Int,
                               interval: Duration) -> [Request]? {
        let now = arp.time
        if now - sender.lastRequest > interval {
            sender.recent.removeAll(keepingCapacity: true)
            sender.reportedInBurst = false
        }
        sender.lastRequest = now
        if let index = sender.recent.firstIndex(where: { $0.target == arp.targetIP }) {
            sender.recent.remove(at: index)
        }
        sender.recent.append(Request(target: arp.targetIP, time: now))
        if sender.recent.count > threshold { sender.recent.removeFirst(sender.recent.count - threshold) }
        guard sender.recent.count >= threshold, now - sender.recent[0].time <= interval else { return nil }
        guard !sender.reportedInBurst || sender.reportedWindow != arp.timeWindow.number else { return nil }
        sender.reportedInBurst = true
        sender.reportedWindow = arp.timeWindow.number
        return sender.recent
    }

    private func emit(_ arp: ARPMessage, _ burst: [Request]) {
        let text = "performing an arp scan. Confidence \(SlipsNumbers.pythonFloat(Self.confidence))."
        context.setEvidence(Evidence(
            type: .ARP_SCAN, description: text,
            attacker: Attacker(direction: .SRC, value: "\(arp.senderIP)"), victim: nil,
            threatLevel: .low, confidence: Self.confidence, profile: arp.profile,
            timeWindow: arp.timeWindow, uids: [], timestamp: arp.time))
    }
}
