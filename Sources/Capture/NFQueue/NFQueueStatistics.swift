import NetCore
import Records
/// A snapshot of the counters of one queue, or their sum over all queues of a source.
public struct NFQueueStatistics: Sendable, Equatable {
    /// Packets received from the kernel and handed to the handler.
    public var packets: UInt64 = 0
    /// Wire bytes of those packets (`NFQA_CAP_LEN` when the copy was cut, else the payload length).
    public var bytes: UInt64 = 0
    /// Packets the handler accepted.
    public var accepts: UInt64 = 0
    /// Packets the handler dropped.
    public var drops: UInt64 = 0
    /// Verdict messages sent by the packet threads (batch and single).
    public var verdictMessages: UInt64 = 0
    /// `NFQNL_MSG_VERDICT_BATCH` messages among them.
    public var batches: UInt64 = 0
    /// Packets with `NFQA_SKB_CSUMNOTREADY`: checksums not filled in yet, do not verify them.
    public var checksumNotReady: UInt64 = 0
    /// GSO super-packets (`NFQA_SKB_GSO`), possibly larger than the MTU.
    public var gsoPackets: UInt64 = 0
    /// Largest payload handed to the handler, in bytes.
    public var largestPacket: UInt64 = 0
    /// Receive overruns (`ENOBUFS`): the socket buffer overflowed and packet messages were lost. With
    /// `NFQA_CFG_F_FAIL_OPEN` the kernel accepted those packets itself.
    public var receiveOverruns: UInt64 = 0
    /// Kernel replies `ENOENT` to a verdict: the packet had already been verdicted by the watchdog, or a repeated
    /// watchdog release found nothing left in the queue. Harmless.
    public var staleVerdicts: UInt64 = 0
    /// Stall episodes detected by the watchdog.
    public var watchdogStalls: UInt64 = 0
    /// Release verdicts the watchdog sent for a stalled packet thread (each covers every queued packet).
    public var watchdogReleases: UInt64 = 0
    /// Times `PacketHandler.idle(now:)` was called.
    public var idleCalls: UInt64 = 0
    /// Other failures: malformed messages, send errors, kernel error replies other than `ENOENT`.
    public var errors: UInt64 = 0

    /// All zero.
    public init() {}

    /// Field-wise sum (`largestPacket` takes the maximum).
    public static func + (a: NFQueueStatistics, b: NFQueueStatistics) -> NFQueueStatistics {
        var s = NFQueueStatistics()
        s.packets = a.packets &+ b.packets
        s.bytes = a.bytes &+ b.bytes
        s.accepts = a.accepts &+ b.accepts
        s.drops = a.drops &+ b.drops
        s.verdictMessages = a.verdictMessages &+ b.verdictMessages
        s.batches = a.batches &+ b.batches
        s.checksumNotReady = a.checksumNotReady &+ b.checksumNotReady
        s.gsoPackets = a.gsoPackets &+ b.gsoPackets
        s.largestPacket = max(a.largestPacket, b.largestPacket)
        s.receiveOverruns = a.receiveOverruns &+ b.receiveOverruns
        s.staleVerdicts = a.staleVerdicts &+ b.staleVerdicts
        s.watchdogStalls = a.watchdogStalls &+ b.watchdogStalls
        s.watchdogReleases = a.watchdogReleases &+ b.watchdogReleases
        s.idleCalls = a.idleCalls &+ b.idleCalls
        s.errors = a.errors &+ b.errors
        return s
    }
}
