import Logging
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
    /// Whose budget this is, for the log line when it runs out (a detector's name).
    public let owner: String
    /// True after the refusal that was logged, until the budget has room again.
    private var exhaustionLogged = false
    private static let logger = Logger(label: "slipsd.detect")
    /// Units held now.
    public private(set) var used = 0
    /// Reservations refused because the budget was spent (for metrics and tests).
    public private(set) var refused = 0

    /// Creates a budget of `limit` units.
    /// - Parameter owner: named in the log line when the budget runs out.
    public init(limit: Int, owner: String = "a detector") {
        self.limit = max(0, limit)
        self.owner = owner
    }

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
    public func release(_ units: Int) {
        used = max(0, used - units)
        if exhaustionLogged, used < limit - limit / 10 { exhaustionLogged = false }
    }
}
