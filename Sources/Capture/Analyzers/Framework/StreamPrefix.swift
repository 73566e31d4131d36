/// Bounded in-order reassembly of one TCP direction for an analyzer.
///
/// Segments are delivered to the analyzer's consumer in sequence order. A segment that continues the stream
/// while nothing is held is handed over in place (no copy); only the tail of a message that spans segments is
/// copied into `held`, and a segment that arrives ahead of the stream is copied aside (at most
/// `maxOutOfOrder`) until the gap before it fills. Bytes seen before are dropped (retransmissions; a segment
/// overlapping the stream is trimmed). Held bytes never exceed `limit` and are charged to the shared
/// `AnalyzerBudget`; when a message is larger, or a gap cannot be bridged, the direction stops (`isStopped`)
/// and its held bytes are freed. Confined to its pipeline's thread.
struct StreamPrefix {
    /// Most segments kept while waiting for a gap to fill.
    static let maxOutOfOrder = 4

    /// The result of one segment.
    enum Outcome: Equatable {
        case delivered, retransmission, heldOutOfOrder, stopped(Reason)
    }

    /// Why a direction stopped.
    enum Reason: Equatable { case gap, oversized, budget }

    private var started = false
    private var nextSeq: UInt32 = 0
    private var held: [UInt8] = []
    private var ahead: [(seq: UInt32, bytes: [UInt8])] = []
    /// Bytes charged to the budget now.
    private(set) var charged = 0
    /// True once the direction gave up.
    private(set) var isStopped = false

    init() {}

    /// Bytes waiting for the rest of a message.
    var heldCount: Int { held.count }

    /// The SYN of this direction was seen: the stream starts after it.
    mutating func start(synSeq: UInt32) {
        guard !started else { return }
        started = true
        nextSeq = synSeq &+ 1
    }

    /// Takes one segment's payload starting at sequence number `seq`.
    /// - Parameter consume: called with contiguous in-order bytes; returns how many it used (whole messages).
    mutating func receive(seq: UInt32, _ payload: UnsafeRawBufferPointer, limit: Int, budget: AnalyzerBudget,
                          consume: (UnsafeRawBufferPointer) -> Int) -> Outcome {
        guard !isStopped else { return .stopped(.gap) }
        guard !payload.isEmpty else { return .delivered }
        if !started {
            started = true
            nextSeq = seq
        }
        let offset = Int(Int32(bitPattern: seq &- nextSeq))
        let end = offset + payload.count
        if end <= 0 { return .retransmission }
        if offset > 0 {
            guard ahead.count < Self.maxOutOfOrder, held.count + offset + payload.count <= limit else {
                return stop(.gap, budget)
            }
            guard budget.reserve(payload.count) else { return stop(.budget, budget) }
            charged += payload.count
            ahead.append((seq, Array(payload)))
            return .heldOutOfOrder
        }
        let fresh = UnsafeRawBufferPointer(rebasing: payload[(-offset)...])
        if let reason = deliver(fresh, limit: limit, budget: budget, consume: consume) { return stop(reason, budget) }
        return drainAhead(limit: limit, budget: budget, consume: consume)
    }

    /// Hands segments held aside that now continue the stream to the consumer.
    private mutating func drainAhead(limit: Int, budget: AnalyzerBudget,
                                     consume: (UnsafeRawBufferPointer) -> Int) -> Outcome {
        var progressed = true
        while progressed, !ahead.isEmpty {
            progressed = false
            for index in ahead.indices.reversed() {
                let segment = ahead[index]
                let offset = Int(Int32(bitPattern: segment.seq &- nextSeq))
                guard offset <= 0 else { continue }
                ahead.remove(at: index)
                budget.release(segment.bytes.count)
                charged -= segment.bytes.count
                progressed = true
                if offset + segment.bytes.count <= 0 { continue }
                let reason = segment.bytes.withUnsafeBytes { bytes in
                    deliver(UnsafeRawBufferPointer(rebasing: bytes[(-offset)...]), limit: limit, budget: budget,
                            consume: consume)
                }
                if let reason { return stop(reason, budget) }
            }
        }
        return .delivered
    }

    /// Delivers in-order bytes: in place when nothing is held, else appended to what is held.
    private mutating func deliver(_ bytes: UnsafeRawBufferPointer, limit: Int, budget: AnalyzerBudget,
                                  consume: (UnsafeRawBufferPointer) -> Int) -> Reason? {
        nextSeq = nextSeq &+ UInt32(truncatingIfNeeded: bytes.count)
        if held.isEmpty {
            let used = min(max(consume(bytes), 0), bytes.count)
            let rest = bytes.count - used
            guard rest > 0 else { return nil }
            guard rest <= limit else { return .oversized }
            guard budget.reserve(rest) else { return .budget }
            charged += rest
            held.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...]))
            return nil
        }
        guard held.count + bytes.count <= limit else { return .oversized }
        guard budget.reserve(bytes.count) else { return .budget }
        charged += bytes.count
        held.append(contentsOf: bytes)
        let used = min(max(held.withUnsafeBytes(consume), 0), held.count)
        if used > 0 {
            held.removeFirst(used)
            budget.release(used)
            charged -= used
        }
        return nil
    }

    private mutating func stop(_ reason: Reason, _ budget: AnalyzerBudget) -> Outcome {
        release(budget)
        isStopped = true
        return .stopped(reason)
    }

    /// Frees everything held (the flow ended or the direction stopped).
    mutating func release(_ budget: AnalyzerBudget) {
        budget.release(charged)
        charged = 0
        held = []
        ahead = []
    }
}
