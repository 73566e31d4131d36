import NetCore
import Records
import Synchronization

/// The live counters of one queue. Each counter has a single writer (the packet thread, or the watchdog for the
/// `watchdog*` ones), so an increment is a relaxed load and store: no locked instruction per packet. Any thread
/// may read them.
final class NFQueueCounters: Sendable {
    let packets = Atomic<UInt64>(0)
    let bytes = Atomic<UInt64>(0)
    let accepts = Atomic<UInt64>(0)
    let drops = Atomic<UInt64>(0)
    let verdictMessages = Atomic<UInt64>(0)
    let batches = Atomic<UInt64>(0)
    let checksumNotReady = Atomic<UInt64>(0)
    let gsoPackets = Atomic<UInt64>(0)
    let largestPacket = Atomic<UInt64>(0)
    let receiveOverruns = Atomic<UInt64>(0)
    let staleVerdicts = Atomic<UInt64>(0)
    let idleCalls = Atomic<UInt64>(0)
    let errors = Atomic<UInt64>(0)
    /// Written by the watchdog thread only.
    let watchdogStalls = Atomic<UInt64>(0)
    /// Written by the watchdog thread only.
    let watchdogReleases = Atomic<UInt64>(0)
    /// Errors seen by the watchdog thread (its own writer).
    let watchdogErrors = Atomic<UInt64>(0)

    /// A consistent-enough copy for reports (each field read once, relaxed).
    func snapshot() -> NFQueueStatistics {
        var s = NFQueueStatistics()
        s.packets = packets.load(ordering: .relaxed)
        s.bytes = bytes.load(ordering: .relaxed)
        s.accepts = accepts.load(ordering: .relaxed)
        s.drops = drops.load(ordering: .relaxed)
        s.verdictMessages = verdictMessages.load(ordering: .relaxed)
        s.batches = batches.load(ordering: .relaxed)
        s.checksumNotReady = checksumNotReady.load(ordering: .relaxed)
        s.gsoPackets = gsoPackets.load(ordering: .relaxed)
        s.largestPacket = largestPacket.load(ordering: .relaxed)
        s.receiveOverruns = receiveOverruns.load(ordering: .relaxed)
        s.staleVerdicts = staleVerdicts.load(ordering: .relaxed)
        s.watchdogStalls = watchdogStalls.load(ordering: .relaxed)
        s.watchdogReleases = watchdogReleases.load(ordering: .relaxed)
        s.idleCalls = idleCalls.load(ordering: .relaxed)
        s.errors = errors.load(ordering: .relaxed) &+ watchdogErrors.load(ordering: .relaxed)
        return s
    }
}

extension Atomic where Value == UInt64 {
    /// Adds `amount` assuming this thread is the only writer (relaxed load + store, no `lock` prefix).
    @inline(__always)
    func addSingleWriter(_ amount: UInt64) {
        store(load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }
}
