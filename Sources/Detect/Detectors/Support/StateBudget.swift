import Logging
/// A count of stored entries (set members, map entries, uid slots) shared by all the state of one detector, so
/// that its memory has a fixed ceiling whatever the traffic.
///
/// A detector reserves one unit before it stores an entry and gives its units back when a time window's state is
/// dropped. When the budget is spent, new entries are not stored (and `refused` counts them); what is already
/// stored keeps working. A table that may evict (`ProfileWindowTable` with an eviction headroom) first drops the
/// state of sources without evidence and says so with `recordEviction(units:)`. A reference type so that every
/// window state of a detector draws from the same budget. Confined to the detection thread.
///
/// Logged (warning, `slipsd.detect`), never per record: the first refusal after the budget had room, the first
/// eviction after it had room, and the first refusal because one state reached its own cap.
public final class StateBudget {
    /// Most units that may be held at once.
    public let limit: Int
    /// Whose budget this is, for the log line when it runs out (a detector's name).
    public let owner: String
    /// True after the refusal that was logged, until the budget has room again.
    private var exhaustionLogged = false
    /// True after the eviction that was logged, until the budget has room again.
    private var evictionLogged = false
    /// True after the first refusal because of a per-state cap was logged.
    private var capLogged = false
    private static let logger = Logger(label: "slipsd.detect")
    /// Units held now.
    public private(set) var used = 0
    /// Most units held at once so far.
    public private(set) var peakUsed = 0
    /// Reservations refused because the budget was spent (for metrics and tests).
    public private(set) var refused = 0
    /// States dropped to make room for new ones (`recordEviction(units:)`).
    public private(set) var evictions = 0
    /// Units those states held.
    public private(set) var evictedUnits = 0

    /// Creates a budget of `limit` units.
    /// - Parameter owner: named in the log line when the budget runs out.
    public init(limit: Int, owner: String = "a detector") {
        self.limit = max(0, limit)
        self.owner = owner
    }

    /// The counters, as one value (for the detector's owner: metrics, status, tests).
    public var statistics: StateBudgetStatistics {
        StateBudgetStatistics(owner: owner, limit: limit, used: used, peakUsed: peakUsed, refused: refused,
                              evictions: evictions, evictedUnits: evictedUnits)
    }

    /// Units that may still be taken.
    public var free: Int { limit - used }

    /// Takes `units` from the budget; false (and nothing taken) when that would exceed the limit. The first
    /// refusal after the budget had room is logged (warning, `slipsd.detect`): new state is not being kept.
    public func reserve(_ units: Int = 1) -> Bool {
        guard used + units <= limit else {
            refused += 1
            if !exhaustionLogged {
                exhaustionLogged = true
                Self.logger.warning("\(owner): state budget of \(limit) entries spent; new entries are not kept until old windows are dropped (\(refused) refused so far)")
            }
            return false
        }
        used += units
        if used > peakUsed { peakUsed = used }
        return true
    }

    /// Takes one unit for a new entry of a state that holds `held` units and may hold at most `cap`; a refusal
    /// because of the cap is counted in `refused` too (and the first one is logged).
    public func reserve(held: Int, cap: Int) -> Bool {
        guard held < cap else {
            refused += 1
            if !capLogged {
                capLogged = true
                Self.logger.warning("\(owner): one profile's window reached its cap of \(cap) entries; its new entries are not kept (\(refused) refused so far)")
            }
            return false
        }
        return reserve()
    }

    /// Counts a state dropped to make room while the budget was full; its `units` are given back with
    /// `release(_:)` by the caller. The first eviction after the budget had room is logged (warning).
    public func recordEviction(units: Int) {
        evictions += 1
        evictedUnits += units
        if !evictionLogged {
            evictionLogged = true
            Self.logger.warning("\(owner): state budget of \(limit) entries full; dropping the state of sources without evidence to make room (\(evictions) dropped so far)")
        }
    }

    /// Gives `units` back.
    public func release(_ units: Int) {
        used = max(0, used - units)
        if used < limit - limit / 10 {
            exhaustionLogged = false
            evictionLogged = false
        }
    }
}

/// The counters of one `StateBudget` at one moment.
public struct StateBudgetStatistics: Sendable, Equatable {
    /// Whose budget (a detector's name).
    public var owner: String
    /// Most units that may be held at once.
    public var limit: Int
    /// Units held.
    public var used: Int
    /// Most units held at once so far (never above `limit`).
    public var peakUsed: Int
    /// Reservations refused (budget spent, or a state at its cap).
    public var refused: Int
    /// States dropped to make room.
    public var evictions: Int
    /// Units those states held.
    public var evictedUnits: Int

    /// Creates statistics with the given counters.
    public init(owner: String, limit: Int, used: Int, peakUsed: Int, refused: Int, evictions: Int,
                evictedUnits: Int) {
        self.owner = owner
        self.limit = limit
        self.used = used
        self.peakUsed = peakUsed
        self.refused = refused
        self.evictions = evictions
        self.evictedUnits = evictedUnits
    }
}
