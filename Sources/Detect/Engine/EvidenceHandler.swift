import NetCore
import Records

/// Slips' evidence handler: drops disabled and whitelisted evidence, accumulates threat level × confidence per
/// (profile, time window) over evidence that is not info and whose attacker is the source, and turns the sum
/// into an alert when it reaches `evidence_detection_threshold × width / 60`; the sum then starts again from 0.
///
/// slipsd's addition for blocking: when a window's alert had no verified evidence (no handshake proved the
/// attacker's address, so the host was blocked only for the connections it opens) and verified evidence of that
/// profile arrives later in the same window (a connect scanner's completed probes), that evidence is an alert of
/// its own at once — the threshold was already crossed — so the block becomes full.
/// Confined to the detection thread.
public final class EvidenceHandler {
    private struct WindowKey: Hashable { var profile: ProfileID; var window: Int }
    private struct Pending { var sum: Double = 0; var evidence: [Evidence] = [] }

    public let settings: DetectionSettings
    public private(set) var whitelist: Whitelist
    private var pending: [WindowKey: Pending] = [:]
    /// Windows whose last alert had no verified evidence.
    private var unverifiedAlerts: Set<WindowKey> = []
    /// Evidence accepted and alerts raised so far.
    public private(set) var evidenceCount = 0
    public private(set) var alertCount = 0
    public private(set) var droppedDisabled = 0
    public private(set) var droppedWhitelisted = 0
    /// The accumulated threat of the last handled evidence's (profile, window) after it: the sum that crossed the
    /// threshold when it made an alert, 0 when it was dropped (Slips' `accumulated_threat_level` in alerts.json).
    public private(set) var lastAccumulatedThreat: Double = 0

    /// Installs a new whitelist (a SIGHUP reload); evidence from now on is judged against it. Detection thread.
    public func replaceWhitelist(_ newWhitelist: Whitelist) { whitelist = newWhitelist }

    public init(settings: DetectionSettings, whitelist: Whitelist) {
        self.settings = settings
        self.whitelist = whitelist
    }

    /// What handling one evidence produced.
    public enum Outcome {
        case dropped
        case accepted
        case alert(Alert)
    }

    /// Handles one evidence. The window's entry is changed in place (its evidence array is appended to, never
    /// copied) and handed to the alert by move, so accumulation and alert building are linear in the evidence.
    public func handle(_ evidence: Evidence) -> Outcome {
        lastAccumulatedThreat = 0
        if settings.disabledDetections.contains(evidence.type) {
            droppedDisabled += 1
            return .dropped
        }
        if whitelist.ignores(evidence) {
            droppedWhitelisted += 1
            return .dropped
        }
        evidenceCount += 1
        let key = WindowKey(profile: evidence.profile, window: evidence.timeWindow.number)
        guard evidence.threatLevel != .info, evidence.attacker.direction == .SRC else {
            lastAccumulatedThreat = pending[key]?.sum ?? 0
            return .accepted
        }
        let sum = Self.add(evidence, to: &pending[key, default: Pending()])
        lastAccumulatedThreat = sum
        let provesEarlierAlert = evidence.attackerVerified && unverifiedAlerts.contains(key)
        guard sum >= settings.alertThreshold - 1e-9 || provesEarlierAlert,
              let entry = pending.removeValue(forKey: key) else { return .accepted }
        alertCount += 1
        let alert = Alert(profile: evidence.profile, timeWindow: evidence.timeWindow, evidence: entry.evidence,
                          accumulatedThreat: entry.sum, timestamp: evidence.timestamp)
        if alert.verified { unverifiedAlerts.remove(key) } else { unverifiedAlerts.insert(key) }
        return .alert(alert)
    }

    /// Adds the evidence's weight and the evidence to a window's entry, in place; returns the new sum.
    private static func add(_ evidence: Evidence, to entry: inout Pending) -> Double {
        entry.sum += evidence.weight
        entry.evidence.append(evidence)
        return entry.sum
    }

    /// Forgets the accumulated evidence of windows before `number` (they can no longer alert).
    public func closeWindows(before number: Int) {
        pending = pending.filter { $0.key.window >= number }
        unverifiedAlerts = unverifiedAlerts.filter { $0.window >= number }
    }

    /// The sum accumulated so far for a profile in a window (tests and status).
    public func accumulated(profile: ProfileID, window: Int) -> Double {
        pending[WindowKey(profile: profile, window: window)]?.sum ?? 0
    }
}
