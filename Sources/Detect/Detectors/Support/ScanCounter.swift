import NetCore
import Records

/// The running count of one scan (one port across hosts, one host across ports, one ICMP type across hosts) in
/// one (profile, time window).
struct ScanCounter {
    /// Most uids an evidence lists: the most recent ones.
    static let uidCapacity = 1000

    /// Distinct targets counted.
    var targets = 0
    /// Originator packets of the counted flows (each flow once, across its interim and final records).
    var packets: UInt64 = 0
    /// Index into `ReportLevels.levels` of the next count to report.
    var nextLevel = 0
    /// Most recent flows of the scan.
    var uids = UIDRing(capacity: ScanCounter.uidCapacity)

    /// Start time of the first flow counted (the scan's start, the time Slips gives its evidence).
    var firstSeen: PacketTime?

    /// Slips' confidence for scans (`calculate_confidence`): 1 above 10 packets, 0.3 for none, else packets / 10.
    var confidence: Double { SlipsNumbers.scanConfidence(packets: packets) }
}
