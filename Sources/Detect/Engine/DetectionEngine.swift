import Logging
import NetCore
import Records

/// Runs the detectors: builds those enabled by config, routes channel messages to subscribers, turns flows and
/// packets from the capture side into channel messages with their profile and time window, feeds evidence to
/// the `EvidenceHandler`, writes outputs, and publishes alerts (the response stage, outside Detect, acts on them).
///
/// Confined to the detection thread (not `Sendable`). A detector that throws in any phase is stopped and logged
/// to errors.log; the others go on.
///
/// Memory is bounded under a spoofed-source flood: the profiles active in the current window (those that get
/// `tw_closed`) and the hosts remembered for `new_ip` / `new_profile` hold at most `profileLimit` entries each.
/// Past the limit a new active profile is not tracked (its detectors' own sweeps drop its state; the profiles
/// kept still get their `tw_closed`), and a full first-sighting set starts over (a host may be announced a
/// second time, none is missed). Both are counted and logged once.
///
/// **Verified attackers.** Conn records whose TCP handshake the flow table proved (`ConnRecord.handshake`), and SSH,
/// SMTP, HTTP and TLS records made on such flows (their `handshake`; they come before the flow's conn record), put
/// their uid and both addresses in a bounded map (`verifiedFlowLimit` uids, oldest forgotten first), before the
/// record reaches any detector. Each evidence raised gets `attackerVerified` from it: true when one of its uids
/// is such a flow and the attacker's address is one of that flow's two ends. The map is keyed by flow, not by
/// address: a host's own real connections never verify scans forged in its name.
public final class DetectionEngine: DetectionEventConsumer {
    /// The default of `profileLimit`: about a million profiles (tens of MB at most per set).
    public static let defaultProfileLimit = 1 << 20

    private final class Running {
        let name: String
        let detector: any Detector
        let context: DetectorContext
        var stopped = false
        init(name: String, detector: any Detector, context: DetectorContext) {
            self.name = name; self.detector = detector; self.context = context
        }
    }

    public let settings: DetectionSettings
    public let evidenceHandler: EvidenceHandler
    private let output: AlertOutput?
    private var clock: TimeWindowClock
    private var detectors: [Running] = []
    private var subscribers = SubscriberTable<Running>()
    /// The detectors' shared first-sighting map of flow uids (one lookup per conn record for all of them).
    private let flowSightings = FlowSightings()
    private var knownIPs: Set<IPAddress> = []
    private var knownProfiles: Set<IPAddress> = []
    private var activeProfiles: Set<ProfileID> = []
    /// Every profile (address) records were seen for, up to `profileLimit` (Slips' "Total analyzed IPs").
    private var analyzedProfiles: Set<IPAddress> = []
    /// Profiles seen in the run: `Total analyzed IPs: N` in the summary and slipsd.log (exact up to `profileLimit`,
    /// which a spoofed-source flood may reach; `analyzedProfilesCapped` then says so).
    public var analyzedProfileCount: Int { analyzedProfiles.count }
    /// True when more than `profileLimit` profiles were seen, so `analyzedProfileCount` is a lower bound.
    public private(set) var analyzedProfilesCapped = false
    private var lastAnalyzedProfile: IPAddress?
    /// The two ends of a flow with a proven handshake.
    private struct VerifiedEnds {
        var originator: IPAddress
        var responder: IPAddress
        init(originator: IPAddress, responder: IPAddress) { self.originator = originator; self.responder = responder }
        /// The ends of a record's connection id (an absent end is 0.0.0.0, which no attacker is).
        init(_ id: ConnectionID) { self.init(originator: id.originator ?? .zeroIPv4, responder: id.responder ?? .zeroIPv4) }
    }
    /// uid → ends of recent flows with a proven handshake.
    private var verifiedFlows: BoundedUIDMap<VerifiedEnds>
    /// The default of `verifiedFlowLimit`.
    public static let defaultVerifiedFlowLimit = 1 << 18
    /// Most flows remembered as verified (uids of older ones no longer verify evidence).
    public let verifiedFlowLimit: Int
    /// Most entries of `activeProfiles`, `knownIPs` and `knownProfiles` each.
    public let profileLimit: Int
    /// Records of profiles not tracked for `tw_closed` because `profileLimit` active profiles were already held.
    public private(set) var untrackedProfileRecords = 0
    /// Records dropped before detection by whitelist lines that ignore flows.
    public private(set) var whitelistedRecords = 0
    private var whitelist: Whitelist
    /// Times a first-sighting set (`knownIPs`, `knownProfiles`) reached `profileLimit` and started over.
    public private(set) var firstSightingResets = 0
    private var loggedProfileLimit = false
    private var loggedSightingLimit = false
    private var currentWindow = 0
    private var lastTick: PacketTime = .zero
    private var now: PacketTime = .zero
    private var queue: [ChannelMessage] = []
    private var dispatching = false
    private let verbosity: Int

    /// Called for every alert (detection thread).
    public var onAlert: ((Alert) -> Void)?
    /// The output's current write error, if writing `-o` files is failing.
    public private(set) var outputError: SystemError?
    private let logger = Logger(label: "slipsd.detect")
    /// Errors from detectors, also written to errors.log.
    public private(set) var detectorErrors: [String] = []

    /// Detector names that run.
    public var runningDetectors: [String] { detectors.filter { !$0.stopped }.map(\.name) }

    /// - Parameters:
    ///   - settings: detection settings (thresholds, enabled/disabled detectors and detections).
    ///   - detectorTypes: the detectors to consider (default: every built-in one); config decides which run.
    ///   - whitelist: hosts whose evidence is dropped.
    ///   - output: the `-o DIR` files, or nil.
    ///   - verbosity: `-v` count; detector prints with `verbose ≤ verbosity` also go to stdout.
    ///   - profileLimit: most active profiles per window and most remembered hosts (at least 1).
    ///   - verifiedFlowLimit: most flows with a proven handshake remembered for `Evidence.attackerVerified`.
    public init(settings: DetectionSettings, detectorTypes: [any Detector.Type] = DetectorList.all,
                whitelist: Whitelist = Whitelist(), output: AlertOutput? = nil, verbosity: Int = 0,
                profileLimit: Int = DetectionEngine.defaultProfileLimit,
                verifiedFlowLimit: Int = DetectionEngine.defaultVerifiedFlowLimit) {
        self.settings = settings
        self.profileLimit = max(1, profileLimit)
        self.verifiedFlowLimit = max(1, verifiedFlowLimit)
        self.verifiedFlows = BoundedUIDMap(capacity: max(1, verifiedFlowLimit))
        self.evidenceHandler = EvidenceHandler(settings: settings, whitelist: whitelist)
        self.whitelist = whitelist
        self.output = output
        self.clock = TimeWindowClock(widthSeconds: settings.timeWindowWidth, onlyOneWindow: settings.onlyOneTimeWindow)
        self.verbosity = verbosity
        for type in detectorTypes where Self.shouldRun(type, settings) {
            start(type)
        }
        for running in detectors where !running.stopped {
            guarded(running, phase: "preMain") { try running.detector.preMain() }
        }
        output?.log("detectors: \(runningDetectors.joined(separator: ", "))")
    }

    static func shouldRun(_ type: any Detector.Type, _ settings: DetectionSettings) -> Bool {
        if settings.disabledModules.contains(type.name) { return false }
        return type.enabledByDefault || settings.enabledModules.contains(type.name)
    }

    private func start(_ type: any Detector.Type) {
        let name = type.name
        let context = DetectorContext(
            detectorName: name, settings: settings,
            evidenceSink: { [unowned self] evidence in self.setEvidence(evidence, from: name) },
            printer: { [unowned self] text, verbose, debug in self.print(text, from: name, verbose: verbose, debug: debug) },
            windowForTime: { [unowned self] time in self.clock.window(for: time) },
            flowSightings: flowSightings)
        do {
            let detector = try type.init(context: context)
            let running = Running(name: name, detector: detector, context: context)
            detectors.append(running)
            for channel in context.subscriptions { subscribers.add(running, to: channel) }
        } catch {
            report(name, phase: "init", error)
        }
    }

    /// Installs a new whitelist (a SIGHUP reload) for records and evidence from now on. Detection thread.
    public func replaceWhitelist(_ newWhitelist: Whitelist) {
        whitelist = newWhitelist
        evidenceHandler.replaceWhitelist(newWhitelist)
    }

    // MARK: input from the capture side

    /// Handles one event from the capture threads.
    public func consume(_ event: RecordEvent) {
        switch event {
        case .record(let record):
            advance(to: record.latestTime)
            if whitelist.filtersFlows, whitelist.ignores(record: record) {
                whitelistedRecords += 1                       // Slips drops these flows before any module
                return
            }
            let window = clock.window(for: record.time)
            let profile = ProfileID(ip: record.profileIP)
            if record.profileIP != lastAnalyzedProfile {   // records come in runs of one profile: one hash per run
                lastAnalyzedProfile = record.profileIP
                if analyzedProfiles.count < profileLimit {
                    analyzedProfiles.insert(record.profileIP)
                } else if !analyzedProfilesCapped, !analyzedProfiles.contains(record.profileIP) {
                    analyzedProfilesCapped = true
                }
            }
            if case .conn(let flow) = record {
                if flow.handshake {
                    verifiedFlows.set(VerifiedEnds(originator: flow.originator, responder: flow.responder),
                                      for: flow.uid)
                }
                noteHosts(flow, window: window)
                noteActive(profile)
                flowSightings.begin(flow)
                publish(.record(record, profile: profile, timeWindow: window))
                flowSightings.end()
                return
            } else if let (uid, ends) = Self.provenApplicationFlow(record) {
                // A record an analyzer made on a proven flow: its evidence comes before the flow's conn record.
                verifiedFlows.set(ends, for: uid)
            }
            publish(.record(record, profile: profile, timeWindow: window))
        case .tick(let time):
            advance(to: time)
        }
    }

    /// Remembers `profile` as active in the current window, unless `profileLimit` profiles already are.
    private func noteActive(_ profile: ProfileID) {
        if activeProfiles.count < profileLimit {
            activeProfiles.insert(profile)
            return
        }
        guard !activeProfiles.contains(profile) else { return }
        untrackedProfileRecords += 1
        if !loggedProfileLimit {
            loggedProfileLimit = true
            logger.warning("""
                \(profileLimit) profiles active in one time window (a spoofed-source flood?): further profiles \
                get no tw_closed until the window ends; detectors drop their state by age
                """, metadata: ["detect.profile_limit": "\(profileLimit)"])
        }
    }

    /// Publishes `new_ip` / `new_profile` for first sightings; the sets are kept only while someone listens.
    private func noteHosts(_ record: ConnRecord, window: TimeWindow) {
        if subscribers[.newIP] != nil {
            if firstSighting(record.originator, in: &knownIPs) { publish(.newIP(record.originator, record.startTime)) }
            if firstSighting(record.responder, in: &knownIPs) { publish(.newIP(record.responder, record.startTime)) }
        }
        if subscribers[.newProfile] != nil, firstSighting(record.originator, in: &knownProfiles) {
            publish(.newProfile(ProfileID(ip: record.originator), record.startTime))
        }
    }

    /// Inserts `ip` into a first-sighting set; a set holding `profileLimit` hosts starts over first.
    private func firstSighting(_ ip: IPAddress, in set: inout Set<IPAddress>) -> Bool {
        if set.count >= profileLimit, !set.contains(ip) {
            set.removeAll(keepingCapacity: true)
            firstSightingResets += 1
            if !loggedSightingLimit {
                loggedSightingLimit = true
                logger.warning("""
                    \(profileLimit) hosts remembered for new_ip/new_profile: the set starts over (hosts seen before \
                    may be announced again)
                    """, metadata: ["detect.profile_limit": "\(profileLimit)"])
            }
        }
        return set.insert(ip).inserted
    }

    /// Moves packet time forward: detectors tick once per second; closed windows are announced; outputs flush.
    public func advance(to time: PacketTime) {
        guard time > now else { return }
        now = time
        clock.start(at: time)
        let window = clock.window(for: time).number
        if currentWindow == 0 { currentWindow = window }
        // With `only_one_tw` every time is in window 1, whose end is the end of time: nothing ever closes.
        if window > currentWindow, !clock.onlyOneWindow {
            closeWindow(currentWindow, at: time)
            currentWindow = window
        }
        if time.microseconds(since: lastTick) >= 1_000_000 {
            lastTick = time
            for running in detectors where !running.stopped {
                guarded(running, phase: "tick") { try running.detector.tick(now: time) }
            }
            flushOutput()
        }
    }

    /// Flushes the outputs; a write error is logged once when it starts and kept in `outputError`.
    private func flushOutput() {
        guard let output else { return }
        do {
            try output.flush()
            outputError = nil
        } catch {
            if outputError != error { logger.error("\(error); alerts are kept in memory until writes succeed") }
            outputError = error
        }
    }

    private func closeWindow(_ number: Int, at time: PacketTime) {
        let window = clock.window(number: number)
        for profile in activeProfiles {
            publish(.twClosed(profile, window))
        }
        activeProfiles.removeAll(keepingCapacity: true)
        evidenceHandler.closeWindows(before: number)
    }

    /// End of input: last tick, shut detectors down, flush and close outputs.
    public func finish() {
        for running in detectors where !running.stopped {
            guarded(running, phase: "tick") { try running.detector.tick(now: now) }
        }
        for running in detectors where !running.stopped {
            guarded(running, phase: "shutdownGracefully") { try running.detector.shutdownGracefully() }
        }
        output?.log("evidence: \(evidenceHandler.evidenceCount), alerts: \(evidenceHandler.alertCount)")
        output?.log("Total analyzed IPs: \(analyzedProfileCount)\(analyzedProfilesCapped ? " (at least)" : "")")
        do {
            try output?.close()
        } catch {
            logger.error("\(error)")
            outputError = error
        }
    }

    // MARK: channels

    /// Publishes a message to the detectors subscribed to its channel. Messages published while another is
    /// being delivered (evidence → `evidence_added`, …) are queued and delivered after it, in order; a message
    /// nobody listens to is dropped at once, and one published while nothing is being delivered goes straight to
    /// its listeners (no copy into the queue).
    public func publish(_ message: ChannelMessage) {
        guard let list = subscribers[message.channel] else { return }
        if dispatching {
            queue.append(message)
            return
        }
        dispatching = true
        deliver(message, to: list)
        var index = 0
        while index < queue.count {
            let next = queue[index]
            index += 1
            if let listeners = subscribers[next.channel] { deliver(next, to: listeners) }
        }
        queue.removeAll(keepingCapacity: true)
        dispatching = false
    }

    private func deliver(_ message: ChannelMessage, to list: [Running]) {
        for running in list where !running.stopped {
            guarded(running, phase: "main") { try running.detector.main(message) }
        }
    }

    /// Whether any detector listens on `channel` (a message for none need not be built).
    private func hasSubscribers(_ channel: Channel) -> Bool { subscribers[channel] != nil }

    /// The uid and ends of an SSH, SMTP, HTTP or TLS record that an analyzer made on a flow with a proven handshake.
    private static func provenApplicationFlow(_ record: Record) -> (FlowUID, VerifiedEnds)? {
        switch record {
        case .ssh(let ssh) where ssh.handshake: (ssh.uid, VerifiedEnds(originator: ssh.client, responder: ssh.server))
        case .smtp(let smtp) where smtp.handshake: (smtp.uid, VerifiedEnds(smtp.id))
        case .http(let http) where http.handshake: (http.uid, VerifiedEnds(http.id))
        case .ssl(let ssl) where ssl.handshake: (ssl.uid, VerifiedEnds(ssl.id))
        default: nil
        }
    }

    /// True when one of the evidence's flows had a proven handshake with the attacker's address at one end.
    private func isAttackerVerified(_ evidence: Evidence) -> Bool {
        guard verifiedFlows.count > 0 else { return false }
        var attacker: IPAddress??                  // parsed at the first verified uid only
        for index in evidence.uids.indices {
            guard let ends = verifiedFlows[evidence.uids[index]] else { continue }
            if attacker == nil { attacker = .some(IPAddress(evidence.attacker.value)) }
            guard let address = attacker ?? nil else { return false }
            if ends.originator == address || ends.responder == address { return true }
        }
        return false
    }

    private func setEvidence(_ raised: Evidence, from detector: String) {
        var evidence = raised
        evidence.attackerVerified = isAttackerVerified(raised)
        switch evidenceHandler.handle(evidence) {
        case .dropped:
            return
        case .accepted:
            output?.write(evidence: evidence, accumulatedThreat: evidenceHandler.lastAccumulatedThreat)
            if hasSubscribers(.evidenceAdded) { publish(.evidenceAdded(evidence)) }
        case .alert(let alert):
            output?.write(evidence: evidence, accumulatedThreat: evidenceHandler.lastAccumulatedThreat)
            if hasSubscribers(.evidenceAdded) { publish(.evidenceAdded(evidence)) }
            raise(alert)
        }
    }

    private func raise(_ alert: Alert) {
        output?.write(alert: alert)
        flushOutput()
        onAlert?(alert)
        if hasSubscribers(.newAlert) { publish(.newAlert(alert)) }
    }

    // MARK: errors and printing

    private func guarded(_ running: Running, phase: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            running.stopped = true
            report(running.name, phase: phase, error)
        }
    }

    private func report(_ name: String, phase: String, _ error: any Error) {
        let line = "\(TimeText.human(now)) detector \(name) stopped: \(phase) threw: \(error)"
        detectorErrors.append(line)
        output?.error(line)
        output?.log(line)
    }

    private func print(_ text: String, from detector: String, verbose: Int, debug: Int) {
        let line = "[\(detector)] \(text)"
        output?.log(line)
        if verbose > 0 && verbose <= verbosity { Swift.print(line) }
    }
}
