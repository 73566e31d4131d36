import Logging
import NetCore
import Records

/// decode → (fragment reassembly) → flow table → analyzers (`ApplicationAnalyzers`: DNS, HTTP, SSH, SMTP, DHCP, …) → records for the detection thread → verdict, for every
/// packet of one source.
///
/// IP fragments go to a `FragmentReassembler` first (one branch on `DecodedPacket.isFragment` for every other
/// packet); a completed datagram is decoded again and goes on as if it had arrived whole, with the verdict of
/// its last fragment. Fragments that do not complete a datagram are accepted (the destination reassembles or
/// discards them as the reassembler does) unless their source or destination is blocked.
///
/// One pipeline per capture thread, confined to it (not `Sendable`). Per packet it allocates nothing, copies no
/// packet bytes (fragments excepted: they are copied into the reassembler's buffers) and takes no lock: records (conn, ARP, SSH, DNS; rare) are collected in a reused array and handed to
/// the detection thread in batches through `RecordHandoff`. Whether a host is blocked is asked of a
/// `BlockedHostFilter`; the pipeline knows nothing of the blocker.
public final class PacketPipeline: PacketHandler {
    /// Counters of this pipeline; read them on its thread or after it stopped.
    public struct Counters: Sendable {
        public var packets: UInt64 = 0
        public var bytes: UInt64 = 0
        public var decodeErrors = DecodeCounters()
        /// Packets dropped inline because their source or destination is blocked.
        public var blockedDrops: UInt64 = 0
        public var firstTime: PacketTime?
        public var lastTime: PacketTime = .zero
    }

    public private(set) var counters = Counters()
    /// The flow table; its statistics are readable on this thread.
    public let flowTable: FlowTable
    /// The fragment reassembly table; its statistics are readable on this thread.
    public let defrag: FragmentReassembler
    private let outbox: PipelineOutbox
    private let blocked: (any BlockedHostFilter)?
    private let analyzers: ApplicationAnalyzers
    private var lastTick: PacketTime = .zero
    /// Reused for every packet: the decoder fills it in place (no copy of the ~170-byte result per packet).
    private var scratch = DecodedPacket()
    private let tickInterval: Int64 = 100_000

    /// - Parameters:
    ///   - flowConfiguration: flow table limits and timeouts.
    ///   - handoff: where events go; nil to only assemble flows (benchmarks of the capture path).
    ///   - blocked: tells which hosts' packets get a drop verdict (inline); nil for passive sources.
    ///   - flushEagerly: live/inline sources hand events over at the end of every capture batch
    ///     (`batchEnded`: one lock per batch, latency bounded by the batch); offline analysis hands them over
    ///     in batches of 4096 (throughput).
    ///   - defrag: limits of the fragment reassembly table.
    ///   - analyzers: the application analyzers' limits and memory budget.
    public convenience init(flowConfiguration: FlowTableConfiguration, handoff: RecordHandoff?,
                            blocked: (any BlockedHostFilter)? = nil, flushEagerly: Bool,
                            defrag: DefragConfiguration = DefragConfiguration(),
                            analyzers: AnalyzerConfiguration = AnalyzerConfiguration()) throws(FlowTableConfigurationError) {
        self.init(flowConfiguration: try flowConfiguration.validated(), handoff: handoff, blocked: blocked,
                  flushEagerly: flushEagerly, defrag: defrag, analyzers: analyzers)
    }

    /// A pipeline on an already checked configuration: cannot fail (packet threads build theirs this way).
    public init(flowConfiguration valid: ValidFlowTableConfiguration, handoff: RecordHandoff?,
                blocked: (any BlockedHostFilter)? = nil, flushEagerly: Bool,
                defrag: DefragConfiguration = DefragConfiguration(),
                analyzers analyzerConfiguration: AnalyzerConfiguration = AnalyzerConfiguration()) {
        self.defrag = FragmentReassembler(configuration: defrag)
        let flowConfiguration = valid.configuration
        let analyzers = ApplicationAnalyzers(configuration: analyzerConfiguration,
                                             slotCount: flowConfiguration.maxFlows)
        self.analyzers = analyzers
        let outbox = PipelineOutbox(handoff: handoff, flushEagerly: flushEagerly, analyzers: analyzers)
        self.outbox = outbox
        self.flowTable = FlowTable(configuration: flowConfiguration, sink: outbox)
        self.blocked = blocked
        let logger = Logger(label: "slipsd.capture")
        flowTable.onEmergency = { statistics in
            logger.warning("flow table in emergency mode: \(statistics.liveFlows) of \(statistics.capacity) slots live; timeouts shortened, oldest flows evicted, only SYNs create TCP flows")
        }
        self.defrag.onLimit = { limit, statistics in
            logger.warning("fragment reassembly limit reached (\(limit.rawValue)): \(statistics.liveDatagrams) datagrams under reassembly, \(statistics.evicted) evicted, \(statistics.sourceLimited) fragments refused per source; further hits are only counted", metadata: ["defrag.limit": "\(limit.rawValue)"])
        }
        analyzers.budget.onReached = { budget in
            logger.warning("application analyzer memory budget reached: \(budget.used) of \(budget.limit) bytes in use; new flows are tracked without application fields until usage falls below half", metadata: ["analyzers.budget": "\(budget.limit)"])
        }
        flowTable.onEmergencyEnd = { statistics in
            logger.notice("flow table out of emergency mode: \(statistics.liveFlows) of \(statistics.capacity) slots live; \(statistics.flowsEvicted) flows evicted so far")
        }
    }

    /// What the application analyzers did (this thread, or after the pipeline stopped).
    public var analyzerStatistics: AnalyzerStatistics { analyzers.currentStatistics }

    /// True while the flow table is in emergency mode (this thread).
    public var isInEmergency: Bool { flowTable.statistics.isInEmergency }

    /// Handles one packet on the capture thread; see `PacketHandler`.
    public func handlePacket(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                             linkType: LinkType) -> PacketVerdict {
        counters.packets &+= 1
        counters.bytes &+= UInt64(wireLength)
        if counters.firstTime == nil { counters.firstTime = time }
        if time > counters.lastTime { counters.lastTime = time }
        defer { passTime(time) }

        do {
            try PacketDecoder.decode(bytes, wireLength: wireLength, time: time, linkType: linkType, into: &scratch)
        } catch {
            counters.decodeErrors.count(error)
            return .accept                                  // undecodable: counted, never dropped (fail open)
        }
        if scratch.isFragment { return reassemble(bytes, time: time) }
        return route(bytes, scratch, time: time)
    }

    /// A fragment: dropped when its hosts are blocked, else held; the datagram it completes is decoded and
    /// routed like a whole packet.
    private func reassemble(_ bytes: UnsafeRawBufferPointer, time: PacketTime) -> PacketVerdict {
        let fragment = scratch
        if let blocked, blocked.isBlocked(fragment.srcIP, now: time) || blocked.isBlocked(fragment.dstIP, now: time) {
            counters.blockedDrops &+= 1
            return .drop
        }
        let verdict = defrag.add(bytes, fragment) { datagram, link -> PacketVerdict in
            do throws(DecodeError) {
                try PacketDecoder.decode(datagram, wireLength: datagram.count, time: time, linkType: .raw,
                                         into: &scratch)
            } catch {
                counters.decodeErrors.count(error)
                return .accept
            }
            scratch.srcMAC = link.srcMAC
            scratch.dstMAC = link.dstMAC
            scratch.outerVLAN = link.outerVLAN
            scratch.innerVLAN = link.innerVLAN
            return route(datagram, scratch, time: time)
        }
        return verdict ?? .accept
    }

    @inline(__always)
    private func route(_ bytes: UnsafeRawBufferPointer, _ packet: DecodedPacket, time: PacketTime) -> PacketVerdict {
        switch packet.network {
        case .arp:
            outbox.add(.record(.arp(ARPRecord(time: time, operation: packet.arpOperation,
                                              senderMAC: packet.arpSenderMAC, senderIP: packet.srcIP,
                                              targetMAC: packet.arpTargetMAC, targetIP: packet.dstIP,
                                              destinationMAC: packet.dstMAC))))
            return .accept
        case .ipv4, .ipv6:
            if let blocked, blocked.isBlocked(packet.srcIP, now: time) || blocked.isBlocked(packet.dstIP, now: time) {
                counters.blockedDrops &+= 1
                return .drop
            }
            guard let update = flowTable.process(packet) else { return .accept }
            analyzers.inspect(bytes, packet: packet, update: update, outbox: outbox)
            return .accept
        case .other:
            return .accept
        }
    }

    /// The capture batch ended: live, what it produced goes to the detection thread now (one lock per batch).
    public func batchEnded() {
        outbox.batchEnded()
    }

    /// Live sources call this when no packet came for a while: time still passes, flows still expire.
    public func idle(now: PacketTime) {
        passTime(now)
        outbox.flush()
    }

    /// The inline source stopped: flush as at end of input.
    public func sourceStopped() { finish() }

    /// End of input: every live flow is flushed as a record and handed over, with a final tick.
    public func finish() {
        flowTable.flushAll()
        outbox.add(.tick(counters.lastTime))
        outbox.flush()
    }

    @inline(__always)
    private func passTime(_ time: PacketTime) {
        guard time.microseconds(since: lastTick) >= tickInterval else { return }
        lastTick = time
        defrag.advance(to: time)
        flowTable.advance(to: time)
        analyzers.advance(to: time, outbox: outbox)
        outbox.add(.tick(time))
        outbox.flush()
    }
}

/// Collects a pipeline's events in a reused array and pushes them to the detection thread. Also the flow
/// table's sink. Confined to the pipeline's thread.
final class PipelineOutbox: ConnRecordSink {
    private let handoff: RecordHandoff?
    private let flushEagerly: Bool
    private var batch: [RecordEvent] = []

    private let analyzers: ApplicationAnalyzers

    init(handoff: RecordHandoff?, flushEagerly: Bool, analyzers: ApplicationAnalyzers) {
        self.handoff = handoff
        self.flushEagerly = flushEagerly
        self.analyzers = analyzers
        batch.reserveCapacity(4096)
    }

    func flowRecordReady(_ record: ConnRecord) {
        var record = record
        analyzers.flowRecord(&record, outbox: self)
        add(.record(.conn(record)))
    }

    @inline(__always)
    func add(_ event: RecordEvent) {
        guard handoff != nil else { return }
        batch.append(event)
        if batch.count >= 4096 { flush() }
    }

    /// Live: the capture batch ended, its events go now. Offline events go in batches of 4096.
    @inline(__always)
    func batchEnded() {
        if flushEagerly { flush() }
    }

    func flush() {
        guard let handoff, !batch.isEmpty else { return }
        handoff.push(&batch)
    }
}
