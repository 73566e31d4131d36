import Logging

/// At most `limit` evidence of one type per (profile, time window) from one detector; the rest is held back and
/// counted. Part of the detector kit.
///
/// A flood of distinct destinations, names or certificates (a scan of addresses, a resolver test, a crawler)
/// makes one evidence per key; without a quota each would reach the outputs and the profile's evidence would grow
/// with the flood. The quota keeps that bounded without changing what alerts: info evidence never adds to an
/// alert, and evidence that does (its attacker is the source and it is not info) is admitted at least as many
/// times as it takes to reach `alertThreshold` on its own (`ceil(threshold / weight)`), so a profile that Slips
/// would alert on this evidence alone still alerts once in the window.
///
/// Counts live in a `BoundedKeyMap` of `trackedWindows` (profile, window, type) keys: memory is fixed; a key
/// forgotten under a flood of profiles starts counting again (at most `limit` more evidence for it).
/// Logged (warning, `slipsd.detect`) on the first evidence held back and, by `logSummary()` at shutdown, the total
/// held back. Confined to the detection thread.
public struct EvidenceQuota {
    private struct Key: Hashable {
        var profile: ProfileID
        var window: Int
        var type: EvidenceType
    }

    /// Slipsd's default: evidence of one type kept per profile and window.
    public static let defaultLimit = 100

    /// Most evidence of one type admitted per profile and window (more for evidence that needs more to alert).
    public let limit: Int
    /// The alert threshold the quota must leave reachable (`DetectionSettings.alertThreshold`).
    public let alertThreshold: Double
    /// Whose quota this is (a detector's name), for the log lines.
    public let owner: String
    private var counts: BoundedKeyMap<Key, Int>
    /// Evidence refused because its (profile, window, type) had reached its quota.
    public private(set) var heldBack = 0
    private static let logger = Logger(label: "slipsd.detect")

    /// Creates a quota.
    /// - Parameters:
    ///   - limit: evidence of one type admitted per (profile, window); at least 1.
    ///   - alertThreshold: the accumulated threat that makes an alert; evidence that accumulates is admitted
    ///     until it alone could reach it.
    ///   - owner: the detector's name, for log lines.
    ///   - trackedWindows: (profile, window, type) counts remembered.
    public init(limit: Int = defaultLimit, alertThreshold: Double, owner: String, trackedWindows: Int = 65_536) {
        self.limit = max(1, limit)
        self.alertThreshold = alertThreshold
        self.owner = owner
        counts = BoundedKeyMap(capacity: max(1, trackedWindows))
    }

    /// The number of evidence like this one that the quota admits per (profile, window).
    public func limit(for evidence: Evidence) -> Int {
        let weight = evidence.weight
        guard evidence.threatLevel != .info, evidence.attacker.direction == .SRC, weight > 0 else { return limit }
        let toAlert = (alertThreshold / weight - 1e-9).rounded(.up)
        return toAlert >= Double(Int.max / 2) ? Int.max / 2 : max(limit, Int(toAlert))
    }

    /// Counts `evidence` against its (profile, window, type); true when it may be set, false (counted in
    /// `heldBack`, the first one logged) when the quota is spent.
    public mutating func admit(_ evidence: Evidence) -> Bool {
        let key = Key(profile: evidence.profile, window: evidence.timeWindow.number, type: evidence.type)
        let used = counts[key] ?? 0
        guard used < limit(for: evidence) else {
            heldBack += 1
            if heldBack == 1 {
                Self.logger.warning("\(owner): \(evidence.profile) reached its quota of \(limit(for: evidence)) \(evidence.type) evidence in window \(evidence.timeWindow.number); further ones are counted, not set")
            }
            return false
        }
        counts.set(used + 1, for: key)
        return true
    }

    /// Logs how many evidence were held back (info, `slipsd.detect`), when any were; for `shutdownGracefully`.
    public func logSummary() {
        guard heldBack > 0 else { return }
        Self.logger.info("\(owner): \(heldBack) evidence held back by the per-window quota of \(limit)")
    }
}
