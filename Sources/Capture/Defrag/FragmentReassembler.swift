import NetCore

/// IPv4 and IPv6 fragment reassembly before the flow table, as Suricata's defrag does, so flows and evidence are
/// the same whether packets arrive whole or fragmented.
///
/// **Copying.** Fragments are copied into one buffer per datagram (at its offset, behind room for the rebuilt IP
/// header); nothing is copied for packets that are not fragments (the pipeline branches once on
/// `DecodedPacket.isFragment`). A complete datagram is handed to the caller as raw IP: the first fragment's
/// header with the total length set and the fragment fields cleared (IPv4, checksum recomputed), or a fixed IPv6
/// header whose next header is the fragment header's (the unfragmentable extension headers are left out; no
/// detector reads them). MACs and VLAN ids come with it in `ReassembledLink`.
///
/// **Memory.** `DefragConfiguration.maxDatagrams` buffers of `DefragConfiguration.bufferBytes` at most, each
/// allocated the first time its slot is used and kept; fixed tables (slots, fragment ranges, index) are reserved
/// in `init`. A flood of incomplete fragments therefore never holds more than the memory cap: when every buffer is
/// in use the oldest datagram is evicted (counted), a source with `maxDatagramsPerSource` datagrams gets no more
/// (counted), and a datagram is discarded at `timeout` after its first fragment, in packet time (counted).
///
/// **Overlaps.** One policy, RFC 5722's (which Linux applies to IPv4 and IPv6): a fragment identical in offset
/// and length to one held is a duplicate and ignored (the first copy is kept); any other overlap discards the
/// whole datagram. So no byte of a reassembled datagram can differ from what the destination host (which
/// discards such datagrams too) would accept, and an overlap never reaches the flow table. Both are counted.
///
/// **Thread confinement.** Not `Sendable`: one reassembler belongs to one capture thread (its pipeline's).
public final class FragmentReassembler {
    /// Room before the data for the rebuilt header (IPv4 at most 60 bytes, IPv6 40).
    static let headroom = 64
    /// Largest payload of a fragmented datagram (the 16-bit length fields).
    static let maxPayload = 65_535
    static let none: Int32 = -1

    /// Which limit a fragment ran into.
    public enum Limit: String, Sendable {
        /// Every buffer was in use: the oldest datagram was evicted.
        case memoryCap = "memory_cap"
        /// A source already had `maxDatagramsPerSource` datagrams under reassembly.
        case perSource = "per_source"
        /// A datagram had more than `maxFragmentsPerDatagram` fragments.
        case fragmentsPerDatagram = "fragments_per_datagram"
    }

    /// Called on the capture thread the first time each limit is reached (then only counted), with the
    /// statistics at that moment. Must not call back into the table.
    public var onLimit: ((Limit, DefragStatistics) -> Void)?
    private var reportedLimits: Set<String> = []

    /// The limits this table was made with.
    public let configuration: DefragConfiguration
    /// Datagrams that can be under reassembly at once.
    public let capacity: Int
    private let maxFragments: Int
    private let timeout: Int64
    private let datagrams: UnsafeMutablePointer<FragmentDatagram>
    private let buffers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let ranges: UnsafeMutablePointer<FragmentRange>
    private var index: [FragmentKey: Int32] = [:]
    private var perSource: [IPAddress: Int32] = [:]
    private var freeSlots: [Int32] = []
    private var highWater = 0
    private var oldest = FragmentReassembler.none
    private var newest = FragmentReassembler.none
    private var clock: Int64 = .min
    private var counters = DefragStatistics()

    /// Creates the table and reserves its fixed parts (buffers come on first use).
    public init(configuration: DefragConfiguration = DefragConfiguration()) {
        self.configuration = configuration
        capacity = configuration.maxDatagrams
        maxFragments = configuration.maxFragmentsPerDatagram
        timeout = Int64(configuration.timeout.components.seconds) * 1_000_000
            + configuration.timeout.components.attoseconds / 1_000_000_000_000
        datagrams = UnsafeMutablePointer<FragmentDatagram>.allocate(capacity: capacity)
        buffers = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: capacity)
        buffers.initialize(repeating: nil, count: capacity)
        ranges = UnsafeMutablePointer<FragmentRange>.allocate(capacity: capacity * maxFragments)
        index.reserveCapacity(capacity)
        perSource.reserveCapacity(capacity)
        freeSlots.reserveCapacity(capacity)
        counters.tableBytes = capacity * (MemoryLayout<FragmentDatagram>.stride
            + MemoryLayout<UnsafeMutableRawPointer?>.stride + maxFragments * MemoryLayout<FragmentRange>.stride)
    }

    deinit {
        for slot in 0..<capacity { buffers[slot]?.deallocate() }
        buffers.deallocate()
        datagrams.deallocate()
        ranges.deallocate()
    }

    /// Counters and occupancy, as a value.
    public var statistics: DefragStatistics {
        var value = counters
        value.liveDatagrams = index.count
        return value
    }

    /// Moves the packet-time clock forward (never back) and discards datagrams whose timeout passed.
    public func advance(to time: PacketTime) { expire(time.microseconds) }

    /// Adds one fragment (`packet.isFragment`, decoded from `bytes`); when it completes its datagram, calls `body`
    /// with the rebuilt raw IP datagram (valid only during the call) and the first fragment's link facts, then
    /// frees the datagram.
    /// - Returns: `body`'s result, or nil when the datagram is not complete (or the fragment was dropped).
    public func add<Result>(_ bytes: UnsafeRawBufferPointer, _ packet: DecodedPacket,
                            completed body: (UnsafeRawBufferPointer, ReassembledLink) -> Result) -> Result? {
        expire(packet.time.microseconds)
        counters.fragments &+= 1
        let start = Int(packet.fragmentDataOffset)
        let ipEnd = Int(packet.networkOffset) + Int(packet.ipLength)
        guard ipEnd <= bytes.count else {
            counters.truncated &+= 1
            return nil
        }
        let length = ipEnd - start
        let offset = Int(packet.fragmentOffset)
        let end = offset + length
        guard length > 0, start >= Int(packet.networkOffset), !packet.moreFragments || length % 8 == 0,
              end <= Self.maxPayload else {
            counters.malformed &+= 1
            return nil
        }

        let key = FragmentKey(packet)
        let slot: Int32
        if let found = index[key] {
            slot = found
        } else {
            guard let created = create(key, packet) else { return nil }
            slot = created
        }
        let datagram = datagrams + Int(slot)

        if Int(datagram.pointee.fragmentCount) >= maxFragments {
            counters.tooManyFragments &+= 1
            discard(slot)
            reached(.fragmentsPerDatagram)
            return nil
        }
        let held = ranges + Int(slot) * maxFragments
        let count = Int(datagram.pointee.fragmentCount)
        let total = Int(datagram.pointee.total)
        if !packet.moreFragments {
            var contradicts = total >= 0 && total != end
            for i in 0..<count where Int(held[i].end) > end { contradicts = true }
            if contradicts {
                counters.malformed &+= 1
                discard(slot)
                return nil
            }
        } else if total >= 0 && end > total {
            counters.malformed &+= 1
            discard(slot)
            return nil
        }
        for i in 0..<count where Int(held[i].start) < end && offset < Int(held[i].end) {
            if Int(held[i].start) == offset && Int(held[i].end) == end {
                counters.duplicates &+= 1
                return nil
            }
            counters.overlaps &+= 1
            discard(slot)
            return nil
        }

        guard let buffer = buffers[Int(slot)], let source = bytes.baseAddress else { return nil }
        held[count] = FragmentRange(start: UInt32(offset), end: UInt32(end))
        datagram.pointee.fragmentCount += 1
        if !packet.moreFragments { datagram.pointee.total = Int32(end) }
        (buffer + Self.headroom + offset).copyMemory(from: source + start, byteCount: length)
        datagram.pointee.received += Int32(length)
        if offset == 0 { saveHeader(bytes, packet, datagram, buffer) }

        guard datagram.pointee.total >= 0, datagram.pointee.received == datagram.pointee.total,
              datagram.pointee.headerLength > 0 else { return nil }
        let headerLength = Int(datagram.pointee.headerLength)
        let payload = Int(datagram.pointee.total)
        let header = buffer + Self.headroom - headerLength
        if datagram.pointee.isIPv6 {
            header.storeBytes(of: UInt16(payload).bigEndian, toByteOffset: 4, as: UInt16.self)
            header.storeBytes(of: datagram.pointee.nextHeader, toByteOffset: 6, as: UInt8.self)
        } else {
            guard headerLength + payload <= Self.maxPayload else {
                counters.malformed &+= 1
                discard(slot)
                return nil
            }
            header.storeBytes(of: UInt16(headerLength + payload).bigEndian, toByteOffset: 2, as: UInt16.self)
            header.storeBytes(of: UInt16(0), toByteOffset: 6, as: UInt16.self)
            header.storeBytes(of: UInt16(0), toByteOffset: 10, as: UInt16.self)
            header.storeBytes(of: Self.checksum(header, headerLength).bigEndian, toByteOffset: 10, as: UInt16.self)
        }
        counters.reassembled &+= 1
        let link = ReassembledLink(srcMAC: datagram.pointee.srcMAC, dstMAC: datagram.pointee.dstMAC,
                                   outerVLAN: UInt16(truncatingIfNeeded: key.vlans >> 16),
                                   innerVLAN: UInt16(truncatingIfNeeded: key.vlans))
        let result = body(UnsafeRawBufferPointer(start: header, count: headerLength + payload), link)
        discard(slot)
        return result
    }

    // MARK: - Slots

    /// Starts a datagram for `key`, making room if needed. Nil when its source is at its limit.
    private func create(_ key: FragmentKey, _ packet: DecodedPacket) -> Int32? {
        let fromSource = perSource[key.source] ?? 0
        guard Int(fromSource) < configuration.maxDatagramsPerSource else {
            counters.sourceLimited &+= 1
            reached(.perSource)
            return nil
        }
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else if highWater < capacity {
            slot = Int32(highWater)
            highWater += 1
        } else {
            counters.evicted &+= 1
            // `discard` puts the oldest slot on the free list.
            discard(oldest)
            reached(.memoryCap)
            guard let free = freeSlots.popLast() else { return nil }
            slot = free
        }
        if buffers[Int(slot)] == nil {
            buffers[Int(slot)] = UnsafeMutableRawPointer.allocate(byteCount: DefragConfiguration.bufferBytes,
                                                                  alignment: 8)
            counters.bufferBytes += DefragConfiguration.bufferBytes
        }
        (datagrams + Int(slot)).initialize(to: FragmentDatagram(
            key: key, created: packet.time.microseconds, received: 0, total: -1, fragmentCount: 0,
            headerLength: 0, nextHeader: packet.fragmentNextHeader, isIPv6: packet.network == .ipv6,
            older: newest, newer: Self.none, srcMAC: packet.srcMAC, dstMAC: packet.dstMAC))
        if newest != Self.none { datagrams[Int(newest)].newer = slot } else { oldest = slot }
        newest = slot
        index[key] = slot
        perSource[key.source] = fromSource + 1
        counters.datagrams &+= 1
        if index.count > counters.peakDatagrams { counters.peakDatagrams = index.count }
        return slot
    }

    /// Reports a limit the first time it is reached.
    private func reached(_ limit: Limit) {
        guard let onLimit, !reportedLimits.contains(limit.rawValue) else { return }
        reportedLimits.insert(limit.rawValue)
        onLimit(limit, statistics)
    }

    /// Saves the first fragment's IP header in front of the data, and its MACs.
    private func saveHeader(_ bytes: UnsafeRawBufferPointer, _ packet: DecodedPacket,
                            _ datagram: UnsafeMutablePointer<FragmentDatagram>, _ buffer: UnsafeMutableRawPointer) {
        guard let base = bytes.baseAddress else { return }
        let network = Int(packet.networkOffset)
        let headerLength = datagram.pointee.isIPv6 ? 40 : Int(packet.fragmentDataOffset) - network
        guard headerLength >= 20, headerLength <= Self.headroom else { return }
        (buffer + Self.headroom - headerLength).copyMemory(from: base + network, byteCount: headerLength)
        datagram.pointee.headerLength = Int32(headerLength)
        datagram.pointee.srcMAC = packet.srcMAC
        datagram.pointee.dstMAC = packet.dstMAC
    }

    /// Frees a datagram's slot (its buffer stays allocated for the next one).
    private func discard(_ slot: Int32) {
        guard slot != Self.none else { return }
        let datagram = datagrams + Int(slot)
        let key = datagram.pointee.key
        index.removeValue(forKey: key)
        if let count = perSource[key.source] {
            if count <= 1 { perSource.removeValue(forKey: key.source) } else { perSource[key.source] = count - 1 }
        }
        let older = datagram.pointee.older, newer = datagram.pointee.newer
        if older != Self.none { datagrams[Int(older)].newer = newer } else { oldest = newer }
        if newer != Self.none { datagrams[Int(newer)].older = older } else { newest = older }
        freeSlots.append(slot)
    }

    /// Advances the clock and discards datagrams older than the timeout (the age list is in creation order).
    @inline(__always)
    private func expire(_ time: Int64) {
        if time > clock { clock = time }
        while oldest != Self.none && datagrams[Int(oldest)].created &+ timeout <= clock {
            counters.timedOut &+= 1
            discard(oldest)
        }
    }

    /// The IPv4 header checksum (RFC 1071) over `length` bytes with the checksum field zero.
    private static func checksum(_ header: UnsafeMutableRawPointer, _ length: Int) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < length {
            sum &+= UInt32(header.load(fromByteOffset: i, as: UInt8.self)) << 8
                | UInt32(header.load(fromByteOffset: i + 1, as: UInt8.self))
            i += 2
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) &+ (sum >> 16) }
        return ~UInt16(truncatingIfNeeded: sum)
    }
}

/// Confined to one capture thread.
@available(*, unavailable)
extension FragmentReassembler: Sendable {}
