import NetCore
import Records
/// Counters of a `FlowTable`, read on its capture thread (`FlowTable.statistics`) and handed to other threads as
/// a value.
public struct FlowTableStatistics: Sendable, Hashable {
    /// Flows in the table now.
    public var liveFlows: Int = 0
    /// Highest number of live flows seen.
    public var peakFlows: Int = 0
    /// The table's capacity (`FlowTableConfiguration.maxFlows`).
    public var capacity: Int = 0
    /// Flows created since the table was made.
    public var flowsCreated: UInt64 = 0
    /// Flows that ended by timeout (inactivity, close or reset linger) or by TCP port reuse.
    public var flowsExpired: UInt64 = 0
    /// Flows removed to make room while the table was full.
    public var flowsEvicted: UInt64 = 0
    /// Flows emitted by `flushAll()`.
    public var flowsFlushed: UInt64 = 0
    /// TCP flows ended early because a new SYN reused their 5-tuple (counted in `flowsExpired` too).
    public var portReuses: UInt64 = 0
    /// Interim records emitted (attempt reports, REJ reports, long-lived reports).
    public var interimReports: UInt64 = 0
    /// Times the table entered emergency mode.
    public var emergencyEntries: UInt64 = 0
    /// Packets that would have created a TCP flow but were not a SYN while in emergency mode (ignored).
    public var emergencyRefusedPackets: UInt64 = 0
    /// Packets given to `process`.
    public var packets: UInt64 = 0
    /// ARP and other non-IP packets (no flow).
    public var nonIPIgnored: UInt64 = 0
    /// Non-first IP fragments: no ports, so no flow is guessed for them.
    public var laterFragments: UInt64 = 0
    /// TCP, UDP or ICMP packets whose transport header was not decoded (no flow).
    public var packetsWithoutTransport: UInt64 = 0
    /// Memory reserved per flow slot, hash index included, in bytes (storage ÷ capacity).
    public var bytesPerFlowSlot: Int = 0
    /// True while the table is in emergency mode.
    public var isInEmergency: Bool = false

    /// All counters zero.
    public init() {}
}
