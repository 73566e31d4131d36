/// The one memory budget shared by every application analyzer of a pipeline: per-flow state, pending
/// queries and reassembly buffers are charged here before they are kept.
///
/// When a charge does not fit, it is refused and counted; the first refusal (and the first after usage fell
/// back below half the budget) calls `onReached` so the pipeline logs one line. A refused flow is tracked by
/// the flow table without application fields, never dropped. Confined to its pipeline's thread.
final class AnalyzerBudget {
    /// The budget in bytes.
    let limit: Int
    /// Bytes charged now.
    private(set) var used = 0
    /// The highest `used` seen.
    private(set) var peak = 0
    /// Charges refused because they did not fit.
    private(set) var refusals: UInt64 = 0
    /// Called on the first refusal of an episode (the pipeline logs a line).
    var onReached: ((AnalyzerBudget) -> Void)?
    private var reported = false

    init(limit: Int) { self.limit = limit }

    /// Charges `bytes`; false (counted) when they do not fit.
    @inline(__always)
    func reserve(_ bytes: Int) -> Bool {
        guard bytes <= limit - used else {
            refusals &+= 1
            if !reported {
                reported = true
                onReached?(self)
            }
            return false
        }
        used += bytes
        if used > peak { peak = used }
        return true
    }

    /// Gives `bytes` back.
    @inline(__always)
    func release(_ bytes: Int) {
        used = max(0, used - bytes)
        if reported, used < limit / 2 { reported = false }
    }
}
