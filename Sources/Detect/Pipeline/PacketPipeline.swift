import Capture

/// decode → flow table → events for the detection thread → verdict, for every packet of one source.
///
/// One pipeline per capture thread, confined to it (not `Sendable`). Per packet it allocates nothing, copies no
/// packet bytes and takes no lock: flow records, ARP packets and SSH banners (rare) are collected in a reused
/// array and handed to the detection thread in batches through `EventHandoff`.
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
    private let outbox: PipelineOutbox
    private var blocked: BlockedAddresses.Reader?
    private var lastTick: PacketTime = .zero
    /// Reused for every packet: the decoder fills it in place (no copy of the ~170-byte result per packet).
    private var scratch = DecodedPacket()
    private let tickInterval: Int64 = 100_000

    /// - Parameters:
    ///   - flowConfiguration: flow table limits and timeouts.
    ///   - handoff: where events go; nil to only assemble flows (benchmarks of the capture path).
    ///   - blocked: blocked IPs whose packets get a drop verdict (inline); nil for passive sources.
    ///   - flushEagerly: live/inline sources hand events over as soon as a packet produced one (latency);
    ///     offline analysis batches them (throughput).
    public init(flowConfiguration: FlowTableConfiguration, handoff: EventHandoff?,
                blocked: BlockedAddresses? = nil, flushEagerly: Bool) throws(FlowTableConfigurationError) {
        try flowConfiguration.validate()
        let outbox = PipelineOutbox(handoff: handoff, flushEagerly: flushEagerly)
        self.outbox = outbox
        self.flowTable = FlowTable(configuration: flowConfiguration, sink: outbox)
        self.blocked = blocked.map(BlockedAddresses.Reader.init)
    }

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
        return route(bytes, scratch, time: time)
    }

    @inline(__always)
    private func route(_ bytes: UnsafeRawBufferPointer, _ packet: DecodedPacket, time: PacketTime) -> PacketVerdict {
        switch packet.network {
        case .arp:
            outbox.add(.arp(ARPObservation(time: time, operation: packet.arpOperation,
                                           senderMAC: packet.arpSenderMAC, senderIP: packet.srcIP,
                                           targetMAC: packet.arpTargetMAC, targetIP: packet.dstIP,
                                           destinationMAC: packet.dstMAC)))
            return .accept
        case .ipv4, .ipv6:
            if blocked != nil, blocked!.contains(packet.srcIP) || blocked!.contains(packet.dstIP) {
                counters.blockedDrops &+= 1
                return .drop
            }
            if let update = flowTable.process(packet), packet.ipProtocol == IPProtocolNumber.tcp,
               packet.payloadCaptured >= 4 {
                inspectSSHBanner(bytes, packet: packet, update: update)
            }
            return .accept
        case .other:
            return .accept
        }
    }

    /// Live sources call this when no packet came for a while: time still passes, flows still expire.
    public func idle(now: PacketTime) {
        passTime(now)
        outbox.flush()
    }

    /// End of input: every live flow is flushed as a record and handed over, with a final tick.
    public func finish() {
        flowTable.flushAll()
        outbox.add(.tick(counters.lastTime))
        outbox.flush()
    }

    @inline(__always)
    private func passTime(_ time: PacketTime) {
        guard time.microseconds - lastTick.microseconds >= tickInterval else { return }
        lastTick = time
        flowTable.advance(to: time)
        outbox.add(.tick(time))
        outbox.flush()
    }

    /// An SSH identification string (`SSH-`) at the start of a TCP payload: the banner line is copied out (a
    /// rare event, once per SSH connection side).
    private func inspectSSHBanner(_ bytes: UnsafeRawBufferPointer, packet: DecodedPacket, update: FlowUpdate) {
        let start = Int(packet.payloadOffset)
        let available = Int(packet.payloadCaptured)
        guard start >= 0, start + available <= bytes.count,
              bytes[start] == 0x53, bytes[start + 1] == 0x53, bytes[start + 2] == 0x48, bytes[start + 3] == 0x2D
        else { return }
        var end = start
        let limit = start + min(available, 255)
        while end < limit, bytes[end] != 0x0D, bytes[end] != 0x0A { end += 1 }
        let banner = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        let fromServer = !update.isOriginator
        let client = fromServer ? packet.dstIP : packet.srcIP
        let server = fromServer ? packet.srcIP : packet.dstIP
        outbox.add(.ssh(SSHObservation(time: packet.time, uid: update.uid, client: client,
                                       clientPort: fromServer ? packet.dstPort : packet.srcPort, server: server,
                                       serverPort: fromServer ? packet.srcPort : packet.dstPort, banner: banner,
                                       fromServer: fromServer)))
    }
}

/// Collects a pipeline's events in a reused array and pushes them to the detection thread. Also the flow
/// table's sink. Confined to the pipeline's thread.
final class PipelineOutbox: FlowRecordSink {
    private let handoff: EventHandoff?
    private let flushEagerly: Bool
    private var batch: [DetectionEvent] = []

    init(handoff: EventHandoff?, flushEagerly: Bool) {
        self.handoff = handoff
        self.flushEagerly = flushEagerly
        batch.reserveCapacity(4096)
    }

    func flowRecordReady(_ record: FlowRecord) { add(.flow(record)) }

    @inline(__always)
    func add(_ event: DetectionEvent) {
        guard handoff != nil else { return }
        batch.append(event)
        if flushEagerly || batch.count >= 4096 { flush() }
    }

    func flush() {
        guard let handoff, !batch.isEmpty else { return }
        handoff.push(&batch)
    }
}
