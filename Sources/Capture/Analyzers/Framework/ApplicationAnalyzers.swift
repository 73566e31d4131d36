import NetCore
import Records

/// A pipeline's application analyzers: probes flows (`ProtocolProbe`), keeps the state of the flows an
/// analyzer claimed in a side table indexed from the flow table slot, feeds their payloads (reassembled for
/// TCP) to the analyzer, and emits its records.
///
/// **Cost for flows nobody claims.** Per packet: one load from the slot index (absent until the first claim)
/// and the probe's few comparisons; no allocation, no copy, no hashing. Per flow end: one dictionary lookup
/// once any flow was claimed. A TCP flow whose client's first segment is too short to tell its protocol is held
/// (an entry, and at most 16 of its first bytes, plus the segment that completes them) until the stream's first
/// bytes name a protocol or nothing; then it is claimed, or left to the flow table.
///
/// **Memory.** The slot index (4 bytes per flow table slot) is allocated at the first claim. Entries, pending
/// queries and reassembly buffers are charged to one `AnalyzerBudget`; a flow that does not fit is left to the
/// flow table alone (counted; the budget logs once). An entry is freed when its flow ends.
///
/// Confined to its pipeline's thread (not `Sendable`).
final class ApplicationAnalyzers {
    let configuration: AnalyzerConfiguration
    let budget: AnalyzerBudget
    private let counters = AnalyzerCounters()
    private var statistics: AnalyzerStatistics {
        get { counters.value }
        _modify { yield &counters.value }
    }
    private let slotCount: Int
    /// Flow table slot → entry index, or -1; nil until the first claim.
    private var slotIndex: UnsafeMutablePointer<Int32>?
    private var entries: [AnalyzedFlow] = []
    private var freeEntries: [Int32] = []
    private var entryOfUID: [FlowUID: Int32] = [:]
    /// Entries that armed their timer since the last sweep (each listed once: `AnalyzedFlow.listedArmed`), so a
    /// sweep visits those, not every live entry.
    private var armed: [Int32] = []
    /// The registered analyzers by `ApplicationProtocol.rawValue` (nil: no analyzer, never claimed).
    private let analyzers: [(any FlowAnalyzer)?]
    private var lastSweep: PacketTime = .zero

    init(configuration: AnalyzerConfiguration, slotCount: Int) {
        self.configuration = configuration
        self.budget = AnalyzerBudget(limit: configuration.memoryBudget)
        self.slotCount = slotCount
        var table = [(any FlowAnalyzer)?](repeating: nil, count: Int(ApplicationProtocol.allCases.map(\.rawValue).max() ?? 0) + 1)
        for analyzer in AnalyzerRegistry.make(configuration) { table[Int(analyzer.application.rawValue)] = analyzer }
        self.analyzers = table
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
        // TCP: only flows whose three-way handshake the flow table proved. A forged or reflected segment cannot
        // make a session (a certificate, a request, a login) appear, for every analyzer at once.
        if packet.ipProtocol == IPProtocolNumber.tcp && !update.isEstablished { return }
        if let slotIndex {
            let index = slotIndex[Int(update.slot)]
            if index >= 0, entries[Int(index)].uid == update.uid {
                analyze(bytes, packet: packet, update: update, entry: Int(index), outbox: outbox)
                return
            }
        }
        let payload = Self.payload(bytes, packet)
        guard let application = ProtocolProbe.detect(payload, packet: packet, update: update) else {
            // Too short to tell: held, and probed again on the stream's first bytes.
            guard ProtocolProbe.defersShortFirstSegment(payload, packet: packet, update: update),
                  let index = claim(.http, packet: packet, update: update, probing: true) else { return }
            statistics.deferredProbes &+= 1
            analyze(bytes, packet: packet, update: update, entry: index, outbox: outbox)
            return
        }
        guard analyzers[Int(application.rawValue)] != nil,
              let index = claim(application, packet: packet, update: update) else { return }
        statistics.claims &+= 1
        analyze(bytes, packet: packet, update: update, entry: index, outbox: outbox)
    }

    /// The flow of `record` ended (or reports interim): its service is set; at its end its state goes.
    func flowRecord(_ record: inout ConnRecord, outbox: PipelineOutbox) {
        guard !entryOfUID.isEmpty, let index = entryOfUID[record.uid].map(Int.init) else { return }
        if entries[index].confirmed { record.service = entries[index].application.service }
        guard record.reason != .interim else { return }
        if !entries[index].done { finish(index, outbox: outbox) }
        free(index)
    }

    /// Time passed: analyzers holding something that times out (unanswered queries) are called, once a second.
    /// Only the entries listed as armed are visited; those no longer armed leave the list.
    func advance(to now: PacketTime, outbox: PipelineOutbox) {
        guard !armed.isEmpty, now.microseconds(since: lastSweep) >= 1_000_000 else { return }
        lastSweep = now
        var context = makeContext(outbox)
        var kept = 0
        for position in armed.indices {
            let index = Int(armed[position])
            if entries[index].timerArmed && !entries[index].done,
               let analyzer = analyzers[Int(entries[index].application.rawValue)] {
                analyzer.expire(&entries[index], now: now, context: &context)
            }
            if entries[index].timerArmed && !entries[index].done {
                armed[kept] = armed[position]
                kept += 1
            } else {
                entries[index].listedArmed = false
            }
        }
        armed.removeLast(armed.count - kept)
    }

    /// Lists the entry for the sweeps once its analyzer armed the timer.
    @inline(__always)
    private func listIfArmed(_ index: Int) {
        guard entries[index].timerArmed, !entries[index].listedArmed else { return }
        entries[index].listedArmed = true
        armed.append(Int32(index))
    }

    @inline(__always)
    private static func payload(_ bytes: UnsafeRawBufferPointer, _ packet: DecodedPacket) -> UnsafeRawBufferPointer {
        let start = Int(packet.payloadOffset)
        let count = Int(packet.payloadCaptured)
        guard start >= 0, count > 0, start <= bytes.count - count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)])
    }

    private func makeContext(_ outbox: PipelineOutbox) -> AnalyzerContext {
        AnalyzerContext(configuration: configuration, budget: budget, counters: counters, outbox: outbox)
    }

    private func claim(_ application: ApplicationProtocol, packet: DecodedPacket, update: FlowUpdate,
                       probing: Bool = false) -> Int? {
        guard budget.reserve(AnalyzedFlow.entryCost) else { return nil }
        if slotIndex == nil {
            let index = UnsafeMutablePointer<Int32>.allocate(capacity: slotCount)
            index.initialize(repeating: -1, count: slotCount)
            slotIndex = index
        }
        let fromOriginator = update.isOriginator
        var entry = AnalyzedFlow(
            uid: update.uid, slot: update.slot, application: application,
            transport: TransportProtocol(rawValue: packet.ipProtocol) ?? .other,
            originator: fromOriginator ? packet.srcIP : packet.dstIP,
            originatorPort: fromOriginator ? packet.srcPort : packet.dstPort,
            responder: fromOriginator ? packet.dstIP : packet.srcIP,
            responderPort: fromOriginator ? packet.dstPort : packet.srcPort,
            baseCost: AnalyzedFlow.entryCost)
        entry.probing = probing
        let index: Int
        if let free = freeEntries.popLast() {
            index = Int(free)
            entry.listedArmed = entries[index].listedArmed    // the index may still be in `armed`
            entries[index] = entry
        } else {
            index = entries.count
            entries.append(entry)
        }
        slotIndex?[Int(update.slot)] = Int32(index)
        entryOfUID[update.uid] = Int32(index)
        return index
    }

    /// The analyzer reports what it holds and releases its state; the reassembly goes too. The entry stays
    /// (claimed, `done`) until its flow ends.
    private func finish(_ index: Int, outbox: PipelineOutbox) {
        entries[index].done = true
        entries[index].timerArmed = false
        if !entries[index].probing, let analyzer = analyzers[Int(entries[index].application.rawValue)] {
            var context = makeContext(outbox)
            analyzer.finish(&entries[index], context: &context)
        }
        entries[index].fromOriginator.release(budget)
        entries[index].fromResponder.release(budget)
    }

    private func free(_ index: Int) {
        entries[index].fromOriginator.release(budget)
        entries[index].fromResponder.release(budget)
        budget.release(entries[index].baseCost)
        if let slotIndex, Int(entries[index].slot) < slotCount, slotIndex[Int(entries[index].slot)] == Int32(index) {
            slotIndex[Int(entries[index].slot)] = -1
        }
        entryOfUID[entries[index].uid] = nil
        let listed = entries[index].listedArmed
        entries[index] = AnalyzedFlow(uid: entries[index].uid, slot: UInt32.max, application: entries[index].application,
                                      transport: .other, originator: entries[index].originator, originatorPort: 0,
                                      responder: entries[index].responder, responderPort: 0, baseCost: 0)
        entries[index].listedArmed = listed                    // still in `armed` until the next sweep drops it
        freeEntries.append(Int32(index))
    }

    /// Runs the flow's analyzer on the packet's payload.
    private func analyze(_ bytes: UnsafeRawBufferPointer, packet: DecodedPacket, update: FlowUpdate, entry index: Int,
                         outbox: PipelineOutbox) {
        guard !entries[index].done, var analyzer = analyzers[Int(entries[index].application.rawValue)] else { return }
        entries[index].established = update.isEstablished
        let payload = Self.payload(bytes, packet)
        let originator = update.isOriginator
        if packet.ipProtocol == IPProtocolNumber.udp {
            guard !payload.isEmpty else { return }
            var context = makeContext(outbox)
            let keep = analyzer.datagram(payload, fromOriginator: originator, time: packet.time,
                                         flow: &entries[index], context: &context)
            if !keep {
                statistics.abandoned &+= 1
                finish(index, outbox: outbox)
            } else if entries[index].done {
                finish(index, outbox: outbox)
            } else {
                listIfArmed(index)
            }
            return
        }
        // TCP: the direction's stream is taken out of the entry while its consumer updates the entry.
        var stream = originator ? entries[index].fromOriginator : entries[index].fromResponder
        if originator { entries[index].fromOriginator = StreamPrefix() } else { entries[index].fromResponder = StreamPrefix() }
        // The direction starts after its SYN: its ISN is the sequence number minus the offset the flow table
        // measured (the SYNs themselves come before the handshake is proven, so the analyzers never see them).
        if update.streamOffset > 0 { stream.start(synSeq: packet.tcpSeq &- update.streamOffset) }
        var outcome = StreamPrefix.Outcome.delivered
        if !payload.isEmpty {
            let time = packet.time
            var context = makeContext(outbox)
            outcome = stream.receive(seq: packet.tcpSeq, payload, limit: configuration.streamBytesPerDirection,
                                     budget: budget) { chunk in
                guard !entries[index].done else { return chunk.count }
                if entries[index].probing {
                    guard let found = resolveProbe(chunk, fromOriginator: originator, entry: index) else {
                        return entries[index].done ? chunk.count : 0            // given up, or wait for more
                    }
                    analyzer = found
                }
                return analyzer.stream(chunk, fromOriginator: originator, time: time, flow: &entries[index],
                                       context: &context)
            }
        }
        if originator { entries[index].fromOriginator = stream } else { entries[index].fromResponder = stream }
        switch outcome {
        case .delivered: break
        case .retransmission: statistics.retransmissions &+= 1
        case .heldOutOfOrder: statistics.outOfOrder &+= 1
        case .stopped(.gap): statistics.gaps &+= 1
        case .stopped(.oversized): statistics.oversized &+= 1
        case .stopped(.budget): break
        }
        if entries[index].done { finish(index, outbox: outbox) } else { listIfArmed(index) }
    }

    /// A held flow's first bytes of one direction: the analyzer they name (the flow is claimed for it from
    /// here), or nil — then `done` is set when they name nothing and the flow is left to the flow table.
    private func resolveProbe(_ chunk: UnsafeRawBufferPointer, fromOriginator: Bool, entry index: Int)
        -> (any FlowAnalyzer)? {
        let decision = ProtocolProbe.deferredContent(chunk, fromOriginator: fromOriginator)
        if let application = decision.application, let analyzer = analyzers[Int(application.rawValue)] {
            entries[index].probing = false
            entries[index].application = application
            statistics.claims &+= 1
            statistics.deferredClaims &+= 1
            return analyzer
        }
        if !decision.wait { entries[index].done = true }
        return nil
    }
}
