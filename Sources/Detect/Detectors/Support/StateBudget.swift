/// A count of stored entries (set members, map entries, uid slots) shared by all the state of one detector, so
/// that its memory has a fixed ceiling whatever the traffic.
///
/// A detector reserves one unit before it stores an entry and gives its units back when a time window's state is
/// dropped. When the budget is spent, new entries are not stored (and `refused` counts them); what is already
/// stored keeps working. A reference type so that every window state of a detector draws from the same budget.
/// Confined to the detection thread.
public final class StateBudget {
    /// Most units that may be held at once.
    public let limit: Int
    /// Units held now.
    public private(set) var used = 0
    /// Reservations refused because the budget was spent (for metrics and tests).
    public private(set) var refused = 0

    /// Creates a budget of `limit` units.
    public init(limit: Int) { self.limit = max(0, limit) }

    /// Takes `units` from the budget; false (and nothing taken) when that would exceed the limit.
    public func reserve(_ units: Int = 1) -> Bool {
        guard used + units <= limit else {
            refused += 1
            return false
        }
        used += units
        return true
    }

    /// Takes one unit for a new entry of a state that holds `held` units and may hold at most `cap`; a refusal
    /// because of the cap is counted in `refused` too.
    public func reserve(held: Int, cap: Int) -> Bool {
        guard held < cap else {
            refused += 1
            return false
        }
        return reserve()
    }

    /// Gives `units` back.
    public func release(_ units: Int) { used = max(0, used - units) }
}
