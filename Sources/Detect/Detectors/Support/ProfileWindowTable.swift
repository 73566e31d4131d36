import NetCore
import Records

/// State a detector keeps per (profile, time window), held by a `ProfileWindowTable`. Part of the detector kit.
public protocol WindowState {
    /// An empty state.
    init()
    /// Units of the detector's `StateBudget` this state holds (given back when it is dropped), not counting the
    /// one unit the table takes for the state itself.
    var budgetUnits: Int { get }
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
///   where no `tw_closed` is published).
///
/// Creating a state takes one unit of `budget`; the state's own `budgetUnits` are given back when it is dropped.
/// When the budget is spent, no new state is created and the record is not counted. Confined to the detection
/// thread.
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

    /// The budget every state of this table draws from.
    public let budget: StateBudget
    private var slots: [ProfileID: Slot] = [:]
    /// Records ignored because their window was closed or older than the two kept.
    public private(set) var ignoredLateRecords = 0

    /// Creates an empty table drawing from `budget`.
    public init(budget: StateBudget) { self.budget = budget }

    /// Number of (profile, window) states held.
    public var stateCount: Int { slots.values.reduce(0) { $0 + ($1.current == nil ? 0 : 1) + ($1.previous == nil ? 0 : 1) } }

    /// Profiles with a slot (states or a closed-window marker).
    public var profileCount: Int { slots.count }

    /// Runs `body` on the state of (`profile`, `window`), creating it if needed. Returns nil without calling
    /// `body` when the window is closed, too old, or the budget has no room for a new state.
    public mutating func withState<R>(_ profile: ProfileID, _ window: TimeWindow, _ body: (inout State) -> R) -> R? {
        if slots[profile] == nil {
            guard budget.reserve() else { return nil }
            slots[profile] = Slot(current: Entry(window: window, state: State()))
            return body(&slots[profile]!.current!.state)
        }
        let budget = self.budget
        var ignored = false
        let result: R? = Self.access(&slots[profile]!, window, budget, &ignored, body)
        if ignored { ignoredLateRecords += 1 }
        return result
    }

    private static func access<R>(_ slot: inout Slot, _ window: TimeWindow, _ budget: StateBudget,
                                  _ ignored: inout Bool, _ body: (inout State) -> R) -> R? {
        let number = window.number
        if number <= slot.closedThrough {
            ignored = true
            return nil
        }
        if slot.current?.window.number == number { return body(&slot.current!.state) }
        if slot.previous?.window.number == number { return body(&slot.previous!.state) }
        guard let current = slot.current else {
            // Only a previous window (or nothing) is left: the new window becomes current.
            guard budget.reserve() else { return nil }
            slot.current = Entry(window: window, state: State())
            return body(&slot.current!.state)
        }
        if number > current.window.number {
            guard budget.reserve() else { return nil }
            if let previous = slot.previous { drop(previous, budget) }
            if number == current.window.number + 1 {
                slot.previous = current
            } else {
                drop(current, budget)
                slot.previous = nil
            }
            slot.current = Entry(window: window, state: State())
            return body(&slot.current!.state)
        }
        if slot.previous == nil, number == current.window.number - 1 {
            guard budget.reserve() else { return nil }
            slot.previous = Entry(window: window, state: State())
            return body(&slot.previous!.state)
        }
        ignored = true
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
            slot.current = nil
        }
        if let previous = slot.previous, previous.window.number <= slot.closedThrough {
            Self.drop(previous, budget)
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
        for index in slots.indices {
            let profile = slots.keys[index]
            var slot = slots.values[index]
            if let previous = slot.previous, previous.window.end + grace <= now {
                Self.drop(previous, budget)
                slot.previous = nil
            }
            if let current = slot.current, current.window.end + grace <= now {
                Self.drop(current, budget)
                slot.current = nil
            }
            if slot.current == nil, let previous = slot.previous {
                slot.current = previous
                slot.previous = nil
            }
            slots.values[index] = slot
            if slot.isEmpty, slot.closedEnd + grace <= now { emptied.append(profile) }
        }
        for profile in emptied { slots[profile] = nil }
    }

    /// Calls `body` with every state held (for tests and metrics).
    public func forEachState(_ body: (ProfileID, TimeWindow, State) -> Void) {
        for (profile, slot) in slots {
            if let current = slot.current { body(profile, current.window, current.state) }
            if let previous = slot.previous { body(profile, previous.window, previous.state) }
        }
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
