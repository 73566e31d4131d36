import NetCore
import Records

/// One first-sighting map of flow uids for every detector of an engine, instead of one `FlowFirstSighting` each.
///
/// Each consumer (a detector or one rule of it) holds a `SharedFlowSighting` with a bit of its own; the map keeps,
/// per live flow that had an interim record, the bits of the consumers that saw one. A consumer gets exactly the
/// answers its own `FlowFirstSighting` would give: a record is its first for that consumer unless the consumer saw
/// an interim record of the same uid before.
///
/// The engine brackets each conn record it delivers with `begin(_:)` and `end()`: the uid is then looked up once
/// (a final record's entry is removed at once, an interim record's bits are written back once), and every
/// consumer's question about that record is answered from the bits at hand. A flow with no interim record — most
/// of them — costs no hash at all while the map is empty. Outside `begin`/`end` (a detector fed directly, as in
/// tests) each question goes to the map, with the same answers.
///
/// The map holds at most `capacity` flows (oldest forgotten first), like one `FlowFirstSighting`; only past that
/// many live flows with interim records can the shared map forget a flow earlier than a consumer's own map would
/// have (then, as there, a later record of it counts as first). Consumers past the 64th get a map of their own.
/// Detection thread.
public final class FlowSightings {
    private var seen: BoundedUIDMap<UInt64>
    private var nextBit = 0
    /// The record between `begin` and `end`, and its consumers' bits.
    private var currentUID = FlowUID(0)
    private var currentIsInterim = false
    private var bracketed = false
    private var currentBits: UInt64 = 0
    private var currentBitsChanged = false

    /// Creates an empty map; `capacity` bounds the live flows with interim records it remembers.
    public init(capacity: Int = 65_536) { seen = BoundedUIDMap(capacity: capacity) }

    /// Flows remembered now (live flows some consumer saw an interim record of).
    public var count: Int { seen.count }

    /// A new consumer's handle (its own map once 64 consumers share this one).
    public func consumer() -> SharedFlowSighting {
        guard nextBit < 64 else { return SharedFlowSighting(own: FlowFirstSighting(capacity: seen.capacity)) }
        defer { nextBit += 1 }
        return SharedFlowSighting(table: self, bit: 1 << UInt64(nextBit))
    }

    /// Before `record` is delivered to the consumers: looks its uid up once.
    public func begin(_ record: ConnRecord) {
        currentUID = record.uid
        currentIsInterim = record.reason == .interim
        currentBitsChanged = false
        bracketed = true
        if seen.count == 0 {
            currentBits = 0
        } else if currentIsInterim {
            currentBits = seen[record.uid] ?? 0
        } else {
            currentBits = seen.removeValue(for: record.uid) ?? 0      // the flow ended: nobody asks again
        }
    }

    /// After the record was delivered: stores the bits an interim record gained.
    public func end() {
        if bracketed, currentIsInterim, currentBitsChanged { seen.set(currentBits, for: currentUID) }
        bracketed = false
    }

    /// The consumer `bit`'s answer: true unless it saw an interim record of `record.uid` before.
    func isFirst(_ record: ConnRecord, bit: UInt64) -> Bool {
        let interim = record.reason == .interim
        if bracketed, record.uid == currentUID, interim == currentIsInterim {
            let first = currentBits & bit == 0
            if interim, first {
                currentBits |= bit
                currentBitsChanged = true
            }
            return first
        }
        let bits = seen[record.uid] ?? 0
        if interim {
            guard bits & bit == 0 else { return false }
            seen.set(bits | bit, for: record.uid)
            return true
        }
        guard bits & bit != 0 else { return true }
        if bits == bit { seen.removeValue(for: record.uid) } else { seen.set(bits & ~bit, for: record.uid) }
        return false
    }
}

/// A consumer's view of `FlowSightings` (`DetectorContext.flowSighting()`): the same question as
/// `FlowFirstSighting.isFirst(_:)`, answered from the engine's shared map.
public struct SharedFlowSighting {
    private let table: FlowSightings?
    private let bit: UInt64
    private var own: FlowFirstSighting?

    init(table: FlowSightings, bit: UInt64) { self.table = table; self.bit = bit; own = nil }
    init(own: FlowFirstSighting) { table = nil; bit = 0; self.own = own }

    /// True the first time this consumer sees a record of `record.uid`, false for later records of the same flow.
    public mutating func isFirst(_ record: ConnRecord) -> Bool {
        if let table { return table.isFirst(record, bit: bit) }
        return own?.isFirst(record) ?? true
    }
}
