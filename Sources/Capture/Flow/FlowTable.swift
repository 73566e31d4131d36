import NetCore
import Records
/// The bidirectional flow table: turns decoded packets into Zeek conn.log flows (5-tuple plus VLAN ids, direction,
/// `conn_state`, `history`, byte and packet counts) and hands each flow out as a `ConnRecord` when it expires, is
/// evicted or flushed, or as an interim report while it is still active.
///
/// **Thread confinement.** Not `Sendable`: one table belongs to one capture thread, which calls `process`,
/// `advance`, `flushAll` and reads `statistics`; the sink is called synchronously on that thread and must not
/// call back into the table.
///
/// **Memory.** Storage for `maxFlows` slots (192 bytes each) and a hash index (4 bytes per slot) is reserved once
/// in `init`; slots are touched only when first used. In steady state `process` allocates nothing and copies no
/// packet bytes. Records (and their history strings) are built only when emitted.
///
/// **Time.** Expiry follows packet time: the table's clock is the highest packet time seen or passed to
/// `advance(to:)`. A flow expires when the clock reaches its last activity plus the timeout of its class
/// (TCP active, TCP closed by both FINs, TCP reset, UDP, ICMP, other). Flows of a class sit in one intrusive list
/// in last-activity order, so expiry costs O(flows expired) and a packet moves its flow in O(1). A packet older
/// than the clock (timestamps going backwards) counts at its own time; its flow may then expire slightly late.
/// One sweep expires or reports at most `configuration.sweepBudget` flows; a backlog is worked off by the
/// following packets' sweeps, and meanwhile a packet for a flow with something due (expiry, report) has that
/// done first, so each flow's records are the same as without the bound.
///
/// **Keys and direction.** The key is the symmetric 5-tuple plus both VLAN ids, hashed with per-run secrets.
/// ICMP uses Zeek's ports: the type as originator port and, for request/reply pairs, the counterpart type as
/// responder port (so echo request and reply share a flow); other ICMP messages use the code and are one-way
/// (taken from `icmpType`/`icmpCode`). The originator is the sender of the first packet, except that a SYN-ACK
/// seen first makes its receiver the originator (history `^`, `ConnRecord.flipped`). Such a flow is never
/// established: its originator sent no SYN, so a host that answers unsolicited SYN-ACKs with RSTs gets `^hR` / OTH,
/// never an RSTO "connection" of its own. `ConnRecord.handshake` is set only when the acknowledgement numbers
/// prove the three-way handshake (see `ConnHistory.handshakeVerified`). A SYN without ACK on a finished TCP flow, or with
/// a sequence number other than the originator's initial one, starts a new flow (Zeek's port reuse).
///
/// **Emergency mode.** When a new flow finds the table full, the table enters emergency mode (counted, reported
/// once through `onEmergency`): timeouts are multiplied by `emergencyTimeoutFactor`, the least recently active
/// flow is evicted (emitted with reason `.evicted`) to make room, and only a TCP SYN may create a TCP flow. The
/// mode ends once live flows fall below `emergencyExitRatio × maxFlows`.
public final class FlowTable {
    /// Head and tail of an intrusive list of slots.
    struct ListEnds {
        var head: UInt32 = FlowSlot.none
        var tail: UInt32 = FlowSlot.none
    }

    /// List of TCP attempts awaiting their attempt report (index into `lists`, after the timeout classes).
    static let attemptList = TimeoutClass.count
    /// List of every other flow, by due time of its next long-lived report.
    static let interimList = TimeoutClass.count + 1

    /// The limits this table was made with.
    public let configuration: FlowTableConfiguration
    /// Called on the capture thread each time the table enters emergency mode, with the statistics at that
    /// moment. Must not call back into the table.
    public var onEmergency: ((FlowTableStatistics) -> Void)?
    /// Called on the capture thread when the table leaves emergency mode (occupancy back under the exit ratio).
    public var onEmergencyEnd: ((FlowTableStatistics) -> Void)?

    let sink: any ConnRecordSink
    let capacity: Int
    let slots: UnsafeMutablePointer<FlowSlot>
    let buckets: UnsafeMutablePointer<UInt32>
    /// Timeout-class lists `0 ..< TimeoutClass.count`, then the attempt and interim report lists.
    let lists: UnsafeMutablePointer<ListEnds>
    /// Per timeout class, µs: configured values, and the ones in force (shortened in emergency mode).
    let normalTimeouts: UnsafeMutablePointer<Int64>
    let timeouts: UnsafeMutablePointer<Int64>
    let attemptDelay: Int64
    let interimInterval: Int64
    let sweepBudget: Int
    let hasher: FlowHasher
    let uidBase: UInt64

    var uidCounter: UInt64 = 0
    /// Slots `0 ..< highWater` have been used at least once; the rest were never touched.
    var highWater = 0
    /// Recycled slots, linked through `hashNext`.
    var freeHead: UInt32 = FlowSlot.none
    var liveCount = 0
    /// The table's packet-time clock, µs.
    var clock: Int64 = .min
    /// No timeout or report is due before this time (µs); the sweep is skipped until the clock reaches it.
    var nextCheck: Int64 = .max
    /// The last sweep stopped at its budget with flows or reports still due.
    var backlog = false
    var emergency = false
    var counters = FlowTableStatistics()

    /// Creates a table and reserves its storage.
    /// - Parameters:
    ///   - configuration: limits and timeouts; must pass `FlowTableConfiguration.validate()` (a precondition).
    ///   - sink: receives every record, on the calling thread.
    ///   - seed: seed of the hash secrets and uids; `nil` draws one from `SystemRandomNumberGenerator` (use a
    ///     fixed seed only in tests).
    public init(configuration: FlowTableConfiguration, sink: any ConnRecordSink, seed: UInt64? = nil) {
        do {
            try configuration.validate()
        } catch {
            preconditionFailure(error.description)
        }
        self.configuration = configuration
        self.sink = sink
        var state: UInt64
        if let seed {
            state = seed
        } else {
            var generator = SystemRandomNumberGenerator()
            state = generator.next()
        }
        hasher = FlowHasher(seed: FlowHasher.splitMix(&state))
        uidBase = FlowHasher.splitMix(&state)

        capacity = configuration.maxFlows
        // Left uninitialized: a slot is initialized when first used, so untouched pages cost no memory.
        slots = FlowStorage.allocate(FlowSlot.self, count: capacity)
        buckets = FlowStorage.allocate(UInt32.self, count: capacity)
        buckets.initialize(repeating: FlowSlot.none, count: capacity)
        lists = UnsafeMutablePointer<ListEnds>.allocate(capacity: TimeoutClass.count + 2)
        lists.initialize(repeating: ListEnds(), count: TimeoutClass.count + 2)
        normalTimeouts = UnsafeMutablePointer<Int64>.allocate(capacity: TimeoutClass.count)
        timeouts = UnsafeMutablePointer<Int64>.allocate(capacity: TimeoutClass.count)
        let perClass: [TimeoutClass: Duration] = [
            .tcpActive: configuration.tcpInactivityTimeout, .tcpClosed: configuration.tcpCloseLinger,
            .tcpReset: configuration.tcpResetLinger, .udp: configuration.udpInactivityTimeout,
            .icmp: configuration.icmpInactivityTimeout, .other: configuration.otherInactivityTimeout,
        ]
        for timeoutClass in TimeoutClass.allCases {
            let value = (perClass[timeoutClass] ?? configuration.tcpInactivityTimeout).flowMicroseconds
            (normalTimeouts + Int(timeoutClass.rawValue)).initialize(to: value)
            (timeouts + Int(timeoutClass.rawValue)).initialize(to: value)
        }
        attemptDelay = configuration.attemptReportDelay.flowMicroseconds
        interimInterval = configuration.interimReportInterval.flowMicroseconds
        sweepBudget = configuration.sweepBudget
        counters.capacity = capacity
    }

    deinit {
        FlowStorage.deallocate(slots)
        FlowStorage.deallocate(buckets)
        lists.deallocate()
        normalTimeouts.deallocate()
        timeouts.deallocate()
    }

    /// Counters, live and peak flows, memory per slot and the emergency flag, as a value.
    public var statistics: FlowTableStatistics {
        var value = counters
        value.liveFlows = liveCount
        value.capacity = capacity
        value.isInEmergency = emergency
        value.bytesPerFlowSlot = (MemoryLayout<FlowSlot>.stride + MemoryLayout<UInt32>.stride)
            + (MemoryLayout<ListEnds>.stride * (TimeoutClass.count + 2) + capacity - 1) / capacity
        return value
    }

    /// Accounts one decoded packet to its flow, creating the flow if needed, after first advancing the clock to
    /// the packet's time (which may emit expired flows and interim records through the sink).
    ///
    /// ARP and other non-IP packets, non-first fragments and TCP/UDP/ICMP packets without a decoded transport
    /// header are counted and create no flow. In emergency mode a TCP packet other than a SYN creates no flow.
    /// - Returns: the flow's uid and the packet's direction, or nil when no flow was touched.
    @discardableResult
    public func process(_ packet: DecodedPacket) -> FlowUpdate? {
        let time = packet.time.microseconds
        tick(time)
        counters.packets &+= 1
        guard packet.network == .ipv4 || packet.network == .ipv6 else {
            counters.nonIPIgnored &+= 1
            return nil
        }
        if packet.isLaterFragment {
            counters.laterFragments &+= 1
            return nil
        }
        let ipProtocol = packet.ipProtocol
        var sourcePort: UInt16 = 0
        var destinationPort: UInt16 = 0
        var oneWay = false
        switch ipProtocol {
        case IPProtocolNumber.tcp, IPProtocolNumber.udp:
            guard packet.hasTransport else {
                counters.packetsWithoutTransport &+= 1
                return nil
            }
            sourcePort = packet.srcPort
            destinationPort = packet.dstPort
        case IPProtocolNumber.icmp, IPProtocolNumber.icmpv6:
            guard packet.hasTransport else {
                counters.packetsWithoutTransport &+= 1
                return nil
            }
            let ports = ICMPFlowPorts.ports(type: packet.icmpType, code: packet.icmpCode,
                                            isV6: ipProtocol == IPProtocolNumber.icmpv6)
            sourcePort = ports.source
            destinationPort = ports.destination
            oneWay = ports.oneWay
        default:
            break
        }

        let hash = hasher.hash(packet.srcIP, sourcePort, packet.dstIP, destinationPort, ipProtocol: ipProtocol,
                               outerVLAN: packet.outerVLAN, innerVLAN: packet.innerVLAN)
        let bucket = bucketIndex(hash)
        var (index, isOriginator) = find(bucket: bucket, packet: packet, sourcePort: sourcePort,
                                         destinationPort: destinationPort)
        if backlog && index != FlowSlot.none {
            // What the sweep left over for this flow happens before its packet counts, as without a budget.
            if isDue(index) {
                finish(index, reason: .expired)
                index = FlowSlot.none
            } else if slots[Int(index)].nextReport <= clock {
                report(index, list: slots[Int(index)].has(FlowSlot.Flag.inAttemptList) ? Self.attemptList
                                                                                       : Self.interimList)
            }
        }
        if index != FlowSlot.none && ipProtocol == IPProtocolNumber.tcp && isReuse(index, packet) {
            counters.portReuses &+= 1
            finish(index, reason: .expired)
            index = FlowSlot.none
        }
        var isNew = false
        if index == FlowSlot.none {
            guard let created = create(packet, bucket: bucket, sourcePort: sourcePort,
                                       destinationPort: destinationPort, oneWay: oneWay) else { return nil }
            index = created.index
            isOriginator = created.isOriginator
            isNew = true
        }
        update(index, packet, isOriginator: isOriginator)
        var streamOffset: UInt32 = 0
        if ipProtocol == IPProtocolNumber.tcp {
            let known = isOriginator ? FlowSlot.Flag.originatorSeqKnown : FlowSlot.Flag.responderSeqKnown
            if slots[Int(index)].flags & known != 0 {
                streamOffset = packet.tcpSeq &- (isOriginator ? slots[Int(index)].originatorISN
                                                              : slots[Int(index)].responderISN)
            }
        }
        return FlowUpdate(uid: FlowUID(slots[Int(index)].uid), isOriginator: isOriginator, isNewFlow: isNew,
                          isEstablished: ipProtocol == IPProtocolNumber.tcp
                              && slots[Int(index)].history.handshakeVerified, slot: index,
                          streamOffset: streamOffset)
    }

    /// Moves the clock forward to `time` (never back) and emits what is due: expired flows, attempt reports,
    /// long-lived reports. Call it from the capture thread's idle callback so flows expire without traffic.
    public func advance(to time: PacketTime) {
        tick(time.microseconds)
    }

    /// Emits every live flow with reason `.flushed` and empties the table (end of input, shutdown). Emergency mode
    /// ends.
    public func flushAll() {
        for timeoutClass in 0..<TimeoutClass.count {
            while lists[timeoutClass].head != FlowSlot.none {
                finish(lists[timeoutClass].head, reason: .flushed)
            }
        }
        if emergency { exitEmergency() }
        nextCheck = .max
        backlog = false
    }

    // MARK: - Packet path

    @inline(__always)
    func bucketIndex(_ hash: UInt64) -> Int {
        // Multiply-shift range reduction: any bucket count, no modulo.
        Int(truncatingIfNeeded: ((hash >> 32) &* UInt64(capacity)) >> 32)
    }

    /// Walks the bucket's chain for the packet's flow.
    @inline(__always)
    private func find(bucket: Int, packet: DecodedPacket, sourcePort: UInt16,
                      destinationPort: UInt16) -> (index: UInt32, isOriginator: Bool) {
        var index = buckets[bucket]
        while index != FlowSlot.none {
            let slot = slots + Int(index)
            if slot.pointee.ipProtocol == packet.ipProtocol && slot.pointee.outerVLAN == packet.outerVLAN
                && slot.pointee.innerVLAN == packet.innerVLAN {
                if slot.pointee.originatorPort == sourcePort && slot.pointee.responderPort == destinationPort
                    && slot.pointee.hasEndpoints(originator: packet.srcIP, responder: packet.dstIP) {
                    return (index, true)
                }
                if slot.pointee.originatorPort == destinationPort && slot.pointee.responderPort == sourcePort
                    && slot.pointee.hasEndpoints(originator: packet.dstIP, responder: packet.srcIP)
                    && !slot.pointee.has(FlowSlot.Flag.oneWay) {
                    return (index, false)
                }
            }
            index = slot.pointee.hashNext
        }
        return (FlowSlot.none, true)
    }

    /// Zeek's port-reuse rule: a SYN (without ACK) on a TCP flow that is finished (reset, or closed by both sides)
    /// or whose sequence number differs from the originator's initial one starts a new connection.
    @inline(__always)
    private func isReuse(_ index: UInt32, _ packet: DecodedPacket) -> Bool {
        let controls = TCPFlag.syn | TCPFlag.ack | TCPFlag.rst | TCPFlag.fin
        guard packet.tcpFlags & controls == TCPFlag.syn else { return false }
        let slot = slots + Int(index)
        let os = slot.pointee.originatorState
        let rs = slot.pointee.responderState
        if os == .reset || rs == .reset || (os == .closed && rs == .closed) { return true }
        return slot.pointee.has(FlowSlot.Flag.originatorSeqKnown) && packet.tcpSeq != slot.pointee.originatorISN
    }

    /// Creates the packet's flow, making room (emergency mode, eviction) when the table is full.
    /// - Returns: nil when emergency rules refuse the flow.
    private func create(_ packet: DecodedPacket, bucket: Int, sourcePort: UInt16, destinationPort: UInt16,
                        oneWay: Bool) -> (index: UInt32, isOriginator: Bool)? {
        let ipProtocol = packet.ipProtocol
        let isTCP = ipProtocol == IPProtocolNumber.tcp
        let controls = packet.tcpFlags & (TCPFlag.syn | TCPFlag.ack | TCPFlag.rst | TCPFlag.fin)
        let isSYN = isTCP && controls == TCPFlag.syn
        if isTCP && emergency && !isSYN {
            counters.emergencyRefusedPackets &+= 1
            return nil
        }
        if liveCount == capacity {
            if !emergency { enterEmergency() }
            if isTCP && emergency && !isSYN {
                counters.emergencyRefusedPackets &+= 1
                return nil
            }
            if liveCount == capacity { evictOldest() }
        }

        // A SYN-ACK seen first: its receiver is the originator (history `^`).
        let flipped = isTCP && controls == TCPFlag.syn | TCPFlag.ack
        let index: UInt32
        if freeHead != FlowSlot.none {
            index = freeHead
            freeHead = slots[Int(index)].hashNext
        } else {
            index = UInt32(truncatingIfNeeded: highWater)
            highWater += 1
        }
        uidCounter &+= 1
        let uid = FlowHasher.finalize(uidBase &+ uidCounter &* 0x9E37_79B9_7F4A_7C15)
        let timeoutClass: TimeoutClass = switch ipProtocol {
        case IPProtocolNumber.tcp: .tcpActive
        case IPProtocolNumber.udp: .udp
        case IPProtocolNumber.icmp, IPProtocolNumber.icmpv6: .icmp
        default: .other
        }
        let slot = slots + Int(index)
        slot.initialize(to: FlowSlot(
            originator: flipped ? packet.dstIP : packet.srcIP,
            originatorPort: flipped ? destinationPort : sourcePort,
            responder: flipped ? packet.srcIP : packet.dstIP,
            responderPort: flipped ? sourcePort : destinationPort,
            ipProtocol: ipProtocol, outerVLAN: packet.outerVLAN, innerVLAN: packet.innerVLAN, uid: uid,
            time: packet.time.microseconds,
            originatorMAC: flipped ? packet.dstMAC : packet.srcMAC,
            responderMAC: flipped ? packet.srcMAC : packet.dstMAC,
            timeoutClass: timeoutClass, oneWay: oneWay))
        if flipped { slot.pointee.history.add(code: ConnHistory.flippedCode) }

        slot.pointee.hashNext = buckets[bucket]
        slot.pointee.bucket = UInt32(truncatingIfNeeded: bucket)
        buckets[bucket] = index
        timerAppend(index, timeoutClass)
        if isSYN {
            slot.pointee.set(FlowSlot.Flag.inAttemptList)
            reportAppend(index, list: Self.attemptList, due: clock &+ attemptDelay)
        } else {
            reportAppend(index, list: Self.interimList, due: clock &+ interimInterval)
        }

        liveCount += 1
        if liveCount > counters.peakFlows { counters.peakFlows = liveCount }
        counters.flowsCreated &+= 1
        return (index, !flipped)
    }

    /// Counts the packet into its flow and moves the flow to the tail of its timeout list.
    @inline(__always)
    private func update(_ index: UInt32, _ packet: DecodedPacket, isOriginator: Bool) {
        let slot = slots + Int(index)
        let time = packet.time.microseconds
        if time > slot.pointee.lastTime { slot.pointee.lastTime = time }
        let ipBytes = UInt64(UInt32(clamping: packet.ipLength))
        let payload = UInt32(clamping: packet.payloadLength)
        if isOriginator {
            slot.pointee.originatorPackets &+= 1
            slot.pointee.originatorIPBytes &+= ipBytes
        } else {
            slot.pointee.responderPackets &+= 1
            slot.pointee.responderIPBytes &+= ipBytes
        }
        var timeoutClass = slot.pointee.timeoutClass
        switch packet.ipProtocol {
        case IPProtocolNumber.tcp:
            slot.pointee.applyTCP(flags: packet.tcpFlags, seq: packet.tcpSeq, ack: packet.tcpAck,
                                  window: packet.tcpWindow,
                                  payload: payload, originator: isOriginator)
            let os = slot.pointee.originatorState
            let rs = slot.pointee.responderState
            timeoutClass = (os == .reset || rs == .reset) ? .tcpReset
                : (os == .closed && rs == .closed) ? .tcpClosed : .tcpActive
            if slot.pointee.has(FlowSlot.Flag.inAttemptList) && !slot.pointee.isTCPAttempt {
                slot.pointee.clear(FlowSlot.Flag.inAttemptList)
                reportUnlink(index, list: Self.attemptList)
                reportAppend(index, list: Self.interimList, due: clock &+ interimInterval)
            }
        case IPProtocolNumber.udp:
            slot.pointee.history.add(.data, originator: isOriginator)
            fallthrough
        default:
            if isOriginator {
                slot.pointee.originatorSeqOrBytes &+= UInt64(payload)
            } else {
                slot.pointee.responderSeqOrBytes &+= UInt64(payload)
            }
        }
        touch(index, timeoutClass)
        if packet.ipProtocol == IPProtocolNumber.tcp && packet.tcpFlags & TCPFlag.rst != 0
            && !slot.pointee.has(FlowSlot.Flag.rejectReported) && slot.pointee.connState == .REJ {
            // A rejected attempt is reported at once; the final record follows after the reset linger.
            slot.pointee.set(FlowSlot.Flag.rejectReported)
            emitInterim(index)
        }
    }

    /// Puts the flow at the tail of `timeoutClass`'s list and lowers the sweep gate to its expiry if needed.
    @inline(__always)
    private func touch(_ index: UInt32, _ timeoutClass: TimeoutClass) {
        let slot = slots + Int(index)
        let current = slot.pointee.timeoutClass
        if current != timeoutClass || slot.pointee.timerNext != FlowSlot.none {
            timerUnlink(index, current)
            slot.pointee.timeoutClass = timeoutClass
            timerAppend(index, timeoutClass)
        }
        let due = slot.pointee.lastTime &+ timeouts[Int(timeoutClass.rawValue)]
        if due < nextCheck { nextCheck = due }
    }

    /// Advances the clock; sweeps only when something may be due (or a backlog is left from the last sweep).
    @inline(__always)
    func tick(_ time: Int64) {
        if time > clock {
            clock = time
        } else if !backlog {
            return
        }
        if clock >= nextCheck { sweep() }
    }

    /// True when the flow's inactivity timeout has passed at the current clock (the sweep's test).
    @inline(__always)
    func isDue(_ index: UInt32) -> Bool {
        let slot = slots + Int(index)
        return slot.pointee.lastTime &+ timeouts[Int(slot.pointee.timeoutClass.rawValue)] <= clock
    }

    // MARK: - Records

    /// The flow as a `ConnRecord`.
    func record(of index: UInt32, reason: ConnRecord.Reason) -> ConnRecord {
        let slot = slots[Int(index)]
        let isTCP = slot.ipProtocol == IPProtocolNumber.tcp
        return ConnRecord(
            startTime: PacketTime(microseconds: slot.startTime), lastTime: PacketTime(microseconds: slot.lastTime),
            uid: FlowUID(slot.uid), originator: slot.originator, originatorPort: slot.originatorPort,
            responder: slot.responder, responderPort: slot.responderPort,
            proto: TransportProtocol(rawValue: slot.ipProtocol) ?? .other, ipProtocol: slot.ipProtocol,
            outerVLAN: slot.outerVLAN, innerVLAN: slot.innerVLAN,
            originatorBytes: isTCP ? slot.tcpBytes(originator: true) : slot.originatorSeqOrBytes,
            responderBytes: isTCP ? slot.tcpBytes(originator: false) : slot.responderSeqOrBytes,
            connState: slot.connState, history: slot.history.string,
            originatorPackets: slot.originatorPackets, originatorIPBytes: slot.originatorIPBytes,
            responderPackets: slot.responderPackets, responderIPBytes: slot.responderIPBytes,
            originatorMAC: slot.originatorMAC, responderMAC: slot.responderMAC, reason: reason,
            handshake: isTCP && slot.history.handshakeVerified, flipped: slot.history.isFlipped)
    }

    /// Emits an interim record of a live flow.
    func emitInterim(_ index: UInt32) {
        counters.interimReports &+= 1
        sink.flowRecordReady(record(of: index, reason: .interim))
    }

    /// Emits the flow's final record and removes it.
    func finish(_ index: UInt32, reason: ConnRecord.Reason) {
        switch reason {
        case .expired: counters.flowsExpired &+= 1
        case .evicted: counters.flowsEvicted &+= 1
        case .flushed: counters.flowsFlushed &+= 1
        case .interim: break
        }
        sink.flowRecordReady(record(of: index, reason: reason))
        remove(index)
    }

    /// Unlinks the flow from the hash chain and its lists and recycles its slot.
    private func remove(_ index: UInt32) {
        let slot = slots + Int(index)
        let bucket = Int(slot.pointee.bucket)
        if buckets[bucket] == index {
            buckets[bucket] = slot.pointee.hashNext
        } else {
            var previous = buckets[bucket]
            while previous != FlowSlot.none {
                let next = slots[Int(previous)].hashNext
                if next == index {
                    slots[Int(previous)].hashNext = slot.pointee.hashNext
                    break
                }
                previous = next
            }
        }
        timerUnlink(index, slot.pointee.timeoutClass)
        reportUnlink(index, list: slot.pointee.has(FlowSlot.Flag.inAttemptList) ? Self.attemptList : Self.interimList)
        slot.pointee.hashNext = freeHead
        freeHead = index
        liveCount -= 1
    }
}

/// Confined to one capture thread.
@available(*, unavailable)
extension FlowTable: Sendable {}
