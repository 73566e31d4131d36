import NetCore
import Records

/// How readily a window's state may be dropped to make room when its detector's budget is full (see
/// `ProfileWindowTable`'s eviction). Part of the detector kit.
public enum WindowEviction: Sendable, Equatable {
    /// One packet's worth (one target, one attempt) and no evidence: dropped first.
    case singleSighting
    /// More than one sighting but no evidence yet: dropped when no single sighting is left.
    case noEvidence
    /// Has evidence (reached a report level): dropped only when every other state has evidence too, and then
    /// the one holding the fewest units among a sample of the oldest (so a big, real scan outlives forged
    /// sources that each sent just enough to be reported).
    case evidence
    /// Never dropped to make room (the default, for detectors that do not say otherwise).
    case kept
}

/// State a detector keeps per (profile, time window), held by a `ProfileWindowTable`. Part of the detector kit.
public protocol WindowState {
    /// An empty state.
    init()
    /// Units of the detector's `StateBudget` this state holds (given back when it is dropped), not counting the
    /// one unit the table takes for the state itself.
    var budgetUnits: Int { get }
    /// Whether this state may be dropped to make room in a full budget (default `.kept`: never).
    var eviction: WindowEviction { get }
}

extension WindowState {
    /// Never dropped to make room: states of detectors that do not say otherwise.
    public var eviction: WindowEviction { .kept }
}

/// Per-profile detector state for the current time window and the one before it, dropped when the window closes.
/// Part of the detector kit; most detectors hold one through `WindowedDetectorState`, which also handles
/// `tw_closed` and the periodic sweep.
///
/// Why two windows: the flow table publishes a flow's final record when it expires, so records of flows that
/// started just before a window boundary keep arriving after the profile's next window has begun. Older windows
/// get no state: their records are ignored (`ignoredLateRecords`).
///
/// A window's state is dropped when
/// - `close(profile:window:)` is called (the `tw_closed` channel); later records for that window or an older one
///   are ignored rather than counted again from zero;
/// - a record of a window two or more numbers newer arrives for the profile;
/// - `sweep(now:grace:)` finds the window ended more than `grace` ago (covers profiles that went silent, and runs
///   where no `tw_closed` is published);
/// - with an `evictionHeadroom` above 0, the budget has fewer free units than the headroom when a record arrives
///   (see below).
///
/// Creating a state takes one unit of `budget`; the state's own `budgetUnits` are given back when it is dropped.
/// When the budget is spent, no new state is created and the record is not counted.
///
/// Eviction (blinding by state exhaustion): a flood of forged sources, each sending one packet, would otherwise
/// fill the budget and keep every later source — a real scanner among them — from being counted. With a headroom
/// of `h` units, before each record the table drops states until `h` units are free: first the oldest state that
/// saw a single sighting without evidence (`WindowEviction.singleSighting`), then the oldest one without evidence
/// (`.noEvidence`); only when every state has evidence, the smallest of the oldest `evidenceSample` states with
/// evidence (`.evidence`). `.kept` states are never dropped, nor the state of the record's own profile.
/// Each drop is counted and logged through `StateBudget.recordEviction(units:)`. Oldest means created first: a
/// real source that keeps sending passes the single-sighting stage long before the flood's newer states push it
/// to the front. The headroom must cover what one record may reserve, so the record's own state always gets its
/// units. Candidates wait in three FIFO queues, one per class (a few bytes each, compacted to about twice the
/// states held), so a drop costs amortised O(1) (O(`evidenceSample`) among states with evidence). With a
/// headroom of 0 (the default) the table never evicts, as before. Not bounded here: closed-window markers of
/// profiles whose states are gone (no budget unit; swept `grace` after their window ended).
/// Confined to the detection thread.
public struct ProfileWindowTable<State: WindowState> {
    private struct Entry {
        var window: TimeWindow
        var state: State
    }

    private struct Slot {
        var current: Entry?
        var previous: Entry?
        /// Highest window number closed for this profile, and when it ended.
        var closedThrough = 0
        var closedEnd = PacketTime.zero
        var isEmpty: Bool { current == nil && previous == nil }
    }

    /// A state that may be dropped to make room: its profile and window number.
    private struct Candidate {
        var profile: ProfileID
        var window: Int
    }

    /// The budget every state of this table draws from.
    public let budget: StateBudget
    /// Free units the table keeps by dropping states without evidence (0: never drops).
    public let evictionHeadroom: Int
    private var slots: [ProfileID: Slot] = [:]
    /// Candidates in the order their states were created (single sightings, or not yet looked at).
    private var fresh = EvictionQueue<Candidate>()
    /// Candidates found to have more than one sighting: dropped only when no single sighting is left.
    private var seasoned = EvictionQueue<Candidate>()
    /// Candidates found to have evidence: dropped only when no state without evidence is left.
    private var reported = EvictionQueue<Candidate>()
    /// States with evidence compared, by units held, to choose the one dropped.
    static var evidenceSample: Int { 16 }
    /// Records ignored because their window was closed or older than the two kept.
    public private(set) var ignoredLateRecords = 0
    /// Number of (profile, window) states held.
    public private(set) var stateCount = 0

    /// Creates an empty table drawing from `budget`.
    /// - Parameter evictionHeadroom: free units to keep, when the budget is full, by dropping other profiles'
    ///   states (see the type's comment; at least what one record may reserve); 0 never drops.
    public init(budget: StateBudget, evictionHeadroom: Int = 0) {
        self.budget = budget
        self.evictionHeadroom = max(0, evictionHeadroom)
    }

    /// Profiles with a slot (states or a closed-window marker).
    public var profileCount: Int { slots.count }

    /// Runs `body` on the state of (`profile`, `window`), creating it if needed. Returns nil without calling
    /// `body` when the window is closed, too old, or the budget has no room for a new state.
    public mutating func withState<R>(_ profile: ProfileID, _ window: TimeWindow, _ body: (inout State) -> R) -> R? {
        if evictionHeadroom > 0, budget.free < evictionHeadroom { makeRoom(sparing: profile) }
        // One hash of the profile per record: the slot is found once and changed in place through its index.
        guard let index = slots.index(forKey: profile) else {
            guard budget.reserve() else { return nil }
            slots[profile] = Slot(current: Entry(window: window, state: State()))
            created(profile, window)
            return body(&slots[profile]!.current!.state)
        }
        let budget = self.budget
        var outcome = Outcome.none
        let result: R? = Self.access(&slots.values[index], window, budget, &outcome, body)
        switch outcome {
        case .none: break
        case .ignored: ignoredLateRecords += 1
        case .created(let dropped):
            stateCount -= dropped
            created(profile, window)
        }
        return result
    }

    /// What `access` did besides calling the body.
    private enum Outcome {
        case none
        case ignored
        /// Created the state of the record's window, after dropping this many older ones.
        case created(dropped: Int)
    }

    private mutating func created(_ profile: ProfileID, _ window: TimeWindow) {
        stateCount += 1
        guard evictionHeadroom > 0 else { return }
        fresh.append(Candidate(profile: profile, window: window.number))
        let queued = fresh.count + seasoned.count + reported.count
        if queued > 1024, queued > 2 * stateCount { compactCandidates() }
    }

    private static func access<R>(_ slot: inout Slot, _ window: TimeWindow, _ budget: StateBudget,
                                  _ outcome: inout Outcome, _ body: (inout State) -> R) -> R? {
        let number = window.number
        if number <= slot.closedThrough {
            outcome = .ignored
            return nil
        }
        if slot.current?.window.number == number { return body(&slot.current!.state) }
        if slot.previous?.window.number == number { return body(&slot.previous!.state) }
        guard let current = slot.current else {
            // Only a previous window (or nothing) is left: the new window becomes current.
            guard budget.reserve() else { return nil }
            slot.current = Entry(window: window, state: State())
            outcome = .created(dropped: 0)
            return body(&slot.current!.state)
        }
        if number > current.window.number {
            guard budget.reserve() else { return nil }
            var dropped = 0
            if let previous = slot.previous {
                drop(previous, budget)
                dropped += 1
            }
            if number == current.window.number + 1 {
                slot.previous = current
            } else {
                drop(current, budget)
                dropped += 1
                slot.previous = nil
            }
            slot.current = Entry(window: window, state: State())
            outcome = .created(dropped: dropped)
            return body(&slot.current!.state)
        }
        if slot.previous == nil, number == current.window.number - 1 {
            guard budget.reserve() else { return nil }
            slot.previous = Entry(window: window, state: State())
            outcome = .created(dropped: 0)
            return body(&slot.previous!.state)
        }
        outcome = .ignored
        return nil
    }

    private static func drop(_ entry: Entry, _ budget: StateBudget) {
        budget.release(1 + entry.state.budgetUnits)
    }

    /// Drops the state of `window` and of older windows of `profile`; later records for them are ignored.
    public mutating func close(profile: ProfileID, window: TimeWindow) {
        guard var slot = slots.removeValue(forKey: profile) else { return }
        if window.number > slot.closedThrough {
            slot.closedThrough = window.number
            slot.closedEnd = window.end
        }
        if let current = slot.current, current.window.number <= slot.closedThrough {
            Self.drop(current, budget)
            stateCount -= 1
            slot.current = nil
        }
        if let previous = slot.previous, previous.window.number <= slot.closedThrough {
            Self.drop(previous, budget)
            stateCount -= 1
            slot.previous = nil
        }
        if slot.current == nil, let previous = slot.previous {
            slot.current = previous
            slot.previous = nil
        }
        slots[profile] = slot
    }

    /// Drops every state whose window ended at least `grace` before `now`, and closed-window markers as old.
    public mutating func sweep(now: PacketTime, grace: Duration) {
        var emptied: [ProfileID] = []
        var dropped = 0
        for index in slots.indices {
            let profile = slots.keys[index]
            var slot = slots.values[index]
            if let previous = slot.previous, previous.window.end + grace <= now {
                Self.drop(previous, budget)
                dropped += 1
                slot.previous = nil
            }
            if let current = slot.current, current.window.end + grace <= now {
                Self.drop(current, budget)
                dropped += 1
                slot.current = nil
            }
            if slot.current == nil, let previous = slot.previous {
                slot.current = previous
                slot.previous = nil
            }
            slots.values[index] = slot
            if slot.isEmpty, slot.closedEnd + grace <= now { emptied.append(profile) }
        }
        stateCount -= dropped
        for profile in emptied { slots[profile] = nil }
    }

    /// Calls `body` with every state held (for tests and metrics).
    public func forEachState(_ body: (ProfileID, TimeWindow, State) -> Void) {
        for (profile, slot) in slots {
            if let current = slot.current { body(profile, current.window, current.state) }
            if let previous = slot.previous { body(profile, previous.window, previous.state) }
        }
    }

    // MARK: eviction

    /// A candidate's state, or nil when that state is gone.
    private func state(of candidate: Candidate) -> State? {
        guard let slot = slots[candidate.profile] else { return nil }
        if let current = slot.current, current.window.number == candidate.window { return current.state }
        if let previous = slot.previous, previous.window.number == candidate.window { return previous.state }
        return nil
    }

    /// The eviction class of a candidate's state, or nil when that state is gone.
    private func eviction(of candidate: Candidate) -> WindowEviction? { state(of: candidate)?.eviction }

    /// Drops states until `evictionHeadroom` units are free or no candidate is left: oldest single sightings
    /// first, then the oldest states without evidence, then the smallest sampled state with evidence; never a
    /// `.kept` state nor those of `spared` (the profile whose record is being counted).
    private mutating func makeRoom(sparing spared: ProfileID) {
        var deferred: [Candidate] = []
        while budget.free < evictionHeadroom, let victim = nextVictim(sparing: spared, deferred: &deferred) {
            evict(victim)
        }
        for candidate in deferred { fresh.append(candidate) }
    }

    private mutating func nextVictim(sparing spared: ProfileID, deferred: inout [Candidate]) -> Candidate? {
        while let candidate = fresh.popFirst() {
            guard let eviction = eviction(of: candidate) else { continue }
            if candidate.profile == spared {
                deferred.append(candidate)
                continue
            }
            switch eviction {
            case .singleSighting: return candidate
            case .noEvidence: seasoned.append(candidate)
            case .evidence: reported.append(candidate)
            case .kept: continue
            }
        }
        while let candidate = seasoned.popFirst() {
            guard let eviction = eviction(of: candidate), eviction != .kept else { continue }
            if candidate.profile == spared {
                deferred.append(candidate)
                continue
            }
            if eviction == .evidence {
                reported.append(candidate)
                continue
            }
            return candidate
        }
        return smallestReported(sparing: spared, deferred: &deferred)
    }

    /// Among the oldest `evidenceSample` states with evidence, the one holding the fewest units; the others go
    /// back to the end of the queue.
    private mutating func smallestReported(sparing spared: ProfileID, deferred: inout [Candidate]) -> Candidate? {
        var sampled: [(candidate: Candidate, units: Int)] = []
        while sampled.count < Self.evidenceSample, let candidate = reported.popFirst() {
            guard let state = state(of: candidate), state.eviction != .kept else { continue }
            if candidate.profile == spared {
                deferred.append(candidate)
                continue
            }
            sampled.append((candidate, state.budgetUnits))
        }
        guard let smallest = sampled.indices.min(by: { sampled[$0].units < sampled[$1].units }) else { return nil }
        for index in sampled.indices where index != smallest { reported.append(sampled[index].candidate) }
        return sampled[smallest].candidate
    }

    private mutating func evict(_ candidate: Candidate) {
        guard var slot = slots.removeValue(forKey: candidate.profile) else { return }
        var entry: Entry?
        if slot.current?.window.number == candidate.window {
            entry = slot.current
            slot.current = slot.previous
            slot.previous = nil
        } else if slot.previous?.window.number == candidate.window {
            entry = slot.previous
            slot.previous = nil
        }
        if let entry {
            let units = 1 + entry.state.budgetUnits
            budget.recordEviction(units: units)
            budget.release(units)
            stateCount -= 1
        }
        if !slot.isEmpty || slot.closedThrough > 0 { slots[candidate.profile] = slot }
    }

    /// Forgets queued candidates whose state is gone or kept.
    private mutating func compactCandidates() {
        let gone: (Candidate) -> Bool = { [slots] candidate in
            guard let slot = slots[candidate.profile] else { return true }
            let state: State? = if slot.current?.window.number == candidate.window { slot.current?.state }
                else if slot.previous?.window.number == candidate.window { slot.previous?.state } else { nil }
            guard let state else { return true }
            return state.eviction == .kept
        }
        fresh.removeAll(where: gone)
        seasoned.removeAll(where: gone)
        reported.removeAll(where: gone)
    }
}

/// A `WindowState` that counts its own budget units, so entries can be reserved with `reserve(cap:budget:)`.
public protocol BudgetedWindowState: WindowState {
    /// Units held by this state's entries (stored targets, counters, uid slots …).
    var budgetUnits: Int { get set }
}

extension BudgetedWindowState {
    /// Takes one unit of `budget` for a new entry of this state, unless the state already holds `cap` units or
    /// the budget is spent (both counted in `budget.refused`). True when the entry may be stored.
    public mutating func reserve(cap: Int, budget: StateBudget) -> Bool {
        guard budget.reserve(held: budgetUnits, cap: cap) else { return false }
        budgetUnits += 1
        return true
    }

    /// Gives back `units` this state held (entries it forgot) to `budget`.
    public mutating func release(_ units: Int, to budget: StateBudget) {
        let freed = min(units, budgetUnits)
        budgetUnits -= freed
        budget.release(freed)
    }
}
