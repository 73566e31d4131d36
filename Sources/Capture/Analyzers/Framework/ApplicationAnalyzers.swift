import NetCore
import Records

/// A pipeline's application analyzers: probes flows (`ProtocolProbe`), keeps the state of the flows an
/// analyzer claimed in a side table indexed from the flow table slot, feeds their payloads (reassembled for
/// TCP) to the analyzer, and emits its records.
///
/// **Cost for flows nobody claims.** Per packet: one load from the slot index (absent until the first claim)
/// and the probe's few comparisons; no allocation, no copy, no hashing. Per flow end: one dictionary lookup
/// once any flow was claimed.
///
/// **Memory.** The slot index (4 bytes per flow table slot) is allocated at the first claim. Entries, pending
/// queries and reassembly buffers are charged to one `AnalyzerBudget`; a flow that does not fit is left to the
/// flow table alone (counted; the budget logs once). An entry is freed when its flow ends.
///
/// Confined to its pipeline's thread (not `Sendable`).
final class ApplicationAnalyzers {
    let configuration: AnalyzerConfiguration
    let budget: AnalyzerBudget
    private(set) var statistics = AnalyzerStatistics()
    private let slotCount: Int
    /// Flow table slot → entry index, or -1; nil until the first claim.
    private var slotIndex: UnsafeMutablePointer<Int32>?
    private var entries: [AnalyzedFlow] = []
    private var freeEntries: [Int32] = []
    private var entryOfUID: [FlowUID: Int32] = [:]
    private let dns: DNSAnalyzer
    private var lastSweep: PacketTime = .zero

    init(configuration: AnalyzerConfiguration, slotCount: Int) {
        self.configuration = configuration
        self.budget = AnalyzerBudget(limit: configuration.memoryBudget)
        self.slotCount = slotCount
        self.dns = DNSAnalyzer(configuration: configuration)
    }

    deinit { slotIndex?.deallocate() }

    /// Flows an analyzer holds state for now.
    var liveEntries: Int { entryOfUID.count }

    /// The statistics with the budget's figures.
    var currentStatistics: AnalyzerStatistics {
        var copy = statistics
        copy.budgetUsed = budget.used
        copy.budgetPeak = budget.peak
        copy.budgetRefusals = budget.refusals
        return copy
    }

    /// Looks at one packet of a flow the flow table just updated.
    @inline(__always)
    func inspect(_ bytes: UnsafeRawBufferPointer, packet: DecodedPacket, update: FlowUpdate,
                 outbox: PipelineOutbox) {
        guard configuration.enabled, packet.hasTransport, Int(update.slot) < slotCount else { return }
        if let slotIndex {
            let index = slotIndex[Int(update.slot)]
            if index >= 0, entries[Int(index)].uid == update.uid {
                analyze(bytes, packet: packet, update: update, entry: Int(index), outbox: outbox)
                return
            }
        }
        let payload = Self.payload(bytes, packet)
        guard let application = ProtocolProbe.detect(payload, packet: packet, isNewFlow: update.isNewFlow) else { return }
        guard let index = claim(application, packet: packet, update: update) else { return }
        analyze(bytes, packet: packet, update: update, entry: index, outbox: outbox)
    }

    /// The flow of `record` ended (or reports interim): its service is set; at its end its state goes.
    func flowRecord(_ record: inout ConnRecord, outbox: PipelineOutbox) {
        guard !entryOfUID.isEmpty, let index = entryOfUID[record.uid].map(Int.init) else { return }
        if entries[index].dns.confirmed { record.service = entries[index].application.service }
        guard record.reason != .interim else { return }
        dns.flush(&entries[index], budget: budget, statistics: &statistics, outbox: outbox)
        free(index)
    }

    /// Time passed: unanswered queries older than the timeout are reported (swept once a second).
    func advance(to now: PacketTime, outbox: PipelineOutbox) {
        guard !entryOfUID.isEmpty, now.microseconds(since: lastSweep) >= 1_000_000 else { return }
        lastSweep = now
        for index in entryOfUID.values where !entries[Int(index)].dns.pending.isEmpty {
            dns.expire(&entries[Int(index)], now: now, budget: budget, statistics: &statistics, outbox: outbox)
        }
    }

    @inline(__always)
    private static func payload(_ bytes: UnsafeRawBufferPointer, _ packet: DecodedPacket) -> UnsafeRawBufferPointer {
        let start = Int(packet.payloadOffset)
        let count = Int(packet.payloadCaptured)
        guard start >= 0, count > 0, start <= bytes.count - count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)])
    }

    private func claim(_ application: ApplicationProtocol, packet: DecodedPacket, update: FlowUpdate) -> Int? {
        guard budget.reserve(AnalyzedFlow.entryCost) else { return nil }
        if slotIndex == nil {
            let index = UnsafeMutablePointer<Int32>.allocate(capacity: slotCount)
            index.initialize(repeating: -1, count: slotCount)
            slotIndex = index
        }
        statistics.claims &+= 1
        let fromOriginator = update.isOriginator
        let entry = AnalyzedFlow(
            uid: update.uid, slot: update.slot, application: application,
            transport: TransportProtocol(rawValue: packet.ipProtocol) ?? .other,
            originator: fromOriginator ? packet.srcIP : packet.dstIP,
            originatorPort: fromOriginator ? packet.srcPort : packet.dstPort,
            responder: fromOriginator ? packet.dstIP : packet.srcIP,
            responderPort: fromOriginator ? packet.dstPort : packet.srcPort,
            baseCost: AnalyzedFlow.entryCost)
        let index: Int
        if let free = freeEntries.popLast() {
            index = Int(free)
            entries[index] = entry
        } else {
            index = entries.count
            entries.append(entry)
        }
        slotIndex?[Int(update.slot)] = Int32(index)
        entryOfUID[update.uid] = Int32(index)
        return index
    }

    private func free(_ index: Int) {
        entries[index].fromOriginator.release(budget)
        entries[index].fromResponder.release(budget)
        for query in entries[index].dns.pending { budget.release(query.cost) }
        entries[index].dns = DNSFlowState()
        budget.release(entries[index].baseCost)
        if let slotIndex, Int(entries[index].slot) < slotCount, slotIndex[Int(entries[index].slot)] == Int32(index) {
            slotIndex[Int(entries[index].slot)] = -1
        }
        entryOfUID[entries[index].uid] = nil
        freeEntries.append(Int32(index))
    }

    /// Runs the flow's analyzer on the packet's payload.
    private func analyze(_ bytes: UnsafeRawBufferPointer, packet: DecodedPacket, update: FlowUpdate, entry index: Int,
                         outbox: PipelineOutbox) {
        guard !entries[index].done else { return }
        let payload = Self.payload(bytes, packet)
        if packet.ipProtocol == IPProtocolNumber.udp {
            guard !payload.isEmpty else { return }
            if !dns.message(payload, time: packet.time, flow: &entries[index], budget: budget,
                            statistics: &statistics, outbox: outbox) {
                abandon(index)
            }
            return
        }
        // TCP: the direction's stream is taken out of the entry while its consumer updates the entry.
        let originator = update.isOriginator
        var stream = originator ? entries[index].fromOriginator : entries[index].fromResponder
        if originator { entries[index].fromOriginator = StreamPrefix() } else { entries[index].fromResponder = StreamPrefix() }
        defer {
            if originator { entries[index].fromOriginator = stream } else { entries[index].fromResponder = stream }
        }
        if packet.tcpFlags & 0x02 != 0 { stream.start(synSeq: packet.tcpSeq) }
        guard !payload.isEmpty else { return }
        let time = packet.time
        let outcome = stream.receive(seq: packet.tcpSeq, payload, limit: configuration.streamBytesPerDirection,
                                     budget: budget) { chunk in
            dns.stream(chunk, time: time, flow: &entries[index], budget: budget, statistics: &statistics, outbox: outbox)
        }
        switch outcome {
        case .delivered: break
        case .retransmission: statistics.retransmissions &+= 1
        case .heldOutOfOrder: statistics.outOfOrder &+= 1
        case .stopped(.gap): statistics.gaps &+= 1
        case .stopped(.oversized): statistics.oversized &+= 1
        case .stopped(.budget): break
        }
    }

    /// The analyzer gives up on the flow: its state is freed, the claim stays so it is not probed again.
    private func abandon(_ index: Int) {
        statistics.abandoned &+= 1
        entries[index].done = true
        entries[index].fromOriginator.release(budget)
        entries[index].fromResponder.release(budget)
    }
}
