import Blocker
import Capture
import Detect
import Logging
import NetCore
import Records
#if canImport(Glibc)
import Glibc
#endif

/// `slipsd --inline --queue N`: sits on NFQUEUE, runs flows and detectors on every forwarded packet, and blocks
/// attackers in the kernel.
///
/// `run()` is four steps, in this order, on the main thread:
/// 1. `InlineSetUp` as root, with no other thread alive: outputs, detection, the response stage (nftables table,
///    existing blocks adopted), NFQUEUE sockets, the steering rule, the control socket;
/// 2. the privilege drop to the configured user keeping only CAP_NET_ADMIN (verified, or refuse to run), then
///    the seccomp filter (`daemon.seccomp`), still before any other thread exists;
/// 3. `serve`: the threads (detection, which also executes blocks; one packet thread per queue and the watchdog;
///    control), inheriting CAP_NET_ADMIN, until SIGINT/SIGTERM. SIGHUP re-reads the configuration and whitelist
///    on the main thread and hands what can change live (whitelist, blocking policy and allowlist) to the
///    detection thread; the queue is never touched, a bad file is refused and the old settings stay;
/// 4. `shutDown`: every queued packet gets a verdict, the steering rule is removed, blocks stay in the kernel
///    with their timeouts.
struct InlineDaemon {
    let options: Slipsd
    let settings: SlipsdSettings
    private let logger = Logger(label: "slipsd.inline")

    init(options: Slipsd, settings: SlipsdSettings) {
        self.options = options
        self.settings = settings
    }

    func run() -> Int32 {
        StopSignal.install(reload: true)
        let detectionSide: InlineDetectionSide
        let setUp: InlineSetUp
        let feedHelper: FeedHelperProcess?
        do {
            // One daemon per control socket: refused here, before any set-up touches the kernel.
            let lock = try ControlSocketLock(socketPath: settings.daemon.controlSocket,
                                             directoryOwner: controlDirectoryOwner)
            // The feed downloader is started before any netlink or queue socket exists (it inherits none).
            feedHelper = try startFeedHelper()
            detectionSide = try InlineDetectionSide(options: options, settings: settings)
            setUp = try InlineSetUp(options: options, settings: settings, lock: lock)
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
        var messages = detectionSide.messages + setUp.messages
        do {
            messages.append(try dropPrivileges())
            messages.append(try SeccompFilter.install(mode: settings.daemon.seccomp))   // before any thread
        } catch {
            Console.error("slipsd: \(error); refusing to run")
            setUp.removeSteering()
            setUp.control.removeSocket()
            return 1
        }
        do {
            try serve(setUp, detectionSide, messages: messages, feedHelper: feedHelper)
        } catch {
            Console.error("slipsd: \(error)")
            setUp.source.stop()
            setUp.removeSteering()
            setUp.control.stop()
            return 1
        }
        return 0
    }

    /// The feed downloader (`FeedHelper`), when the feeds are to be downloaded: a download path and at least
    /// one feed in the feed lists.
    private func startFeedHelper() throws -> FeedHelperProcess? {
        var ignored: [String] = []
        guard settings.threatIntel.downloadPath != nil,
              !ThreatIntelLoader.feeds(settings.threatIntel, trusted: true, messages: &ignored).isEmpty else { return nil }
        return try FeedHelperProcess(configPath: ReloadedSettings.configPath(options: options))
    }

    /// The refresh's download step: one pass of the helper, its lines for the log.
    static func downloads(through helper: FeedHelperProcess, _ settings: ThreatIntelSettings)
        -> @Sendable (_ stopRequested: @Sendable () -> Bool) -> [String] {
        let timeout = feedPassTimeout(settings)
        return { stop in helper.update(timeout: timeout, stop: stop).lines }
    }

    /// How long one download pass may take: every feed at its timeout, plus a minute.
    static func feedPassTimeout(_ settings: ThreatIntelSettings) -> Duration {
        var ignored: [String] = []
        let feeds = ThreatIntelLoader.feeds(settings, trusted: true, messages: &ignored).count
        return .seconds(60 + feeds * settings.downloadTimeoutSeconds)
    }

    /// The user the daemon drops to, who must be able to remove the control socket at exit (nil: stays root).
    private var controlDirectoryOwner: uid_t? {
        options.noDropPrivileges ? nil : getpwnam(options.user ?? settings.daemon.user).map { $0.pointee.pw_uid }
    }

    /// Step 2: only CAP_NET_ADMIN stays (verdicts and nftables messages need it).
    private func dropPrivileges() throws -> String {
        if options.noDropPrivileges { return "WARNING: --no-drop-privileges: running as root" }
        let (user, state) = try PrivilegeDrop.drop(to: options.user ?? settings.daemon.user, keep: [PrivilegeDrop.netAdmin])
        return "running as \(user) with only CAP_NET_ADMIN (\(state))"
    }

    /// Step 3: starts the threads and waits for SIGINT/SIGTERM; then step 4.
    private func serve(_ setUp: InlineSetUp, _ detectionSide: sending InlineDetectionSide,
                       messages: [String], feedHelper: FeedHelperProcess?) throws {
        let log = setUp.log
        let queues = setUp.queues
        let source = setUp.source
        let controls = detectionSide.controls
        let refresh = FeedRefresh(settings: detectionSide.threatIntel, updates: detectionSide.threatIntelUpdates,
                                  blocklist: detectionSide.feeds,
                                  loadedAtStart: detectionSide.wiring.feedBlockSources,
                                  download: feedHelper.map { Self.downloads(through: $0, settings.threatIntel) },
                                  log: log)
        let handoff = RecordHandoff(producers: queues.count, producersMayWait: false)
        let reload = SettingsReload()
        let reloader = SettingsReloader(configPath: ReloadedSettings.configPath(options: options), reload: reload)
        for message in messages { log(message) }
        // The queue is bound and steered: existing blocks are learned beside inspection, not before it.
        let learning = try controls.map {
            try KernelBlockLearning(blocker: $0.blocker, journal: detectionSide.journal, grace: $0.grace)
        }
        // What the detection side reads of HTTP bodies (`http_hashes: auto`), taken before it moves to its thread.
        let consumers = HTTPHashConsumers(zeekLogs: detectionSide.zeekLogs != nil,
                                          detectors: detectionSide.wiring.bodyDigestsRead)
        // The outputs belong to the detection thread from here on: only it writes them.
        let detectionThread = try OSThread.spawn(name: "slipsd-detect") {
            let wiring = detectionSide.wiring
            for message in messages { wiring.output?.log(message) }
            let consumer = ReloadingConsumer(engine: wiring.engine, response: detectionSide.response,
                                             reload: reload, output: wiring.output, zeekLogs: detectionSide.zeekLogs,
                                             learning: learning)
            DetectionLoop(handoff: handoff, consumer: consumer, flowLog: nil, zeekLogs: detectionSide.zeekLogs).run()
            withExtendedLifetime(detectionSide) {}
        }
        // Checked once here (the YAML reader already did): the packet threads build their pipelines from the
        // checked value and have no error path.
        let flowConfiguration = try settings.flows.tableConfiguration.validated()
        let analyzers = settings.analyzers.configuration(hashConsumers: consumers)
        let drops = controls?.drops
        let gauges = Dictionary(uniqueKeysWithValues: queues.map { ($0, FlowTableGauge()) })
        try source.start(makeHandler: { queue in
            let pipeline = PacketPipeline(flowConfiguration: flowConfiguration, handoff: handoff,
                                          blocked: drops.map(DropSet.Reader.init), flushEagerly: true,
                                          analyzers: analyzers)
            return GaugedPipeline(pipeline, gauge: gauges[queue] ?? FlowTableGauge(), queue: queue)
        })
        // Self-protection follows address and route changes (DHCP, PPPoE) from here on.
        let watcher = try controls.flatMap { controls in
            try controls.blocker.protection.map { try SelfProtectionWatcher.start($0) }
        }
        defer { watcher?.stop() }
        // Threat-intelligence refresh (TI_files_update_period): created after the drop, it keeps CAP_NET_ADMIN.
        let refreshThread = try refresh.start()
        defer { refresh.stop(); refreshThread.join(); feedHelper?.shutDown() }
        let control = InlineControl(queues: queues, controls: controls,
                                    graceSeconds: settings.blocking.unblockGraceSeconds, source: source,
                                    handoff: handoff, reload: reload, flowTables: queues.compactMap { gauges[$0] })
        try setUp.control.start { request in control.handle(request) }
        log("inline on queue \(queues) ready (\(controls != nil ? "blocking" : "detect only"), \(source.configuration.failOpen ? "fail-open" : "fail-closed"))")
        let watchdog = SystemdWatchdog(notifier: setUp.notifier)
        if let watchdog { log(watchdog.description) }
        setUp.notifier?.notify("READY=1\nSTATUS=inline on queue \(queues)" + (watchdog != nil ? "\nWATCHDOG=1" : ""))

        waitForStop(setUp, reloader: reloader, lag: LagReport(handoff: handoff, source: source), watchdog: watchdog)
        shutDown(setUp, handoff: handoff, detectionThread: detectionThread)
        controls?.journal?.flush()             // every block and unblock is in the state file before exit
    }

    /// Until SIGINT/SIGTERM: SIGHUP reloads (the main thread reads the files, the detection thread applies),
    /// falling behind is reported, and systemd's watchdog is pinged while the threads make progress.
    private func waitForStop(_ setUp: InlineSetUp, reloader: SettingsReloader, lag: LagReport,
                             watchdog: SystemdWatchdog?) {
        var lag = lag
        var watchdog = watchdog
        var reloadsHandled = 0                  // a SIGHUP during set-up is handled at once
        while !StopSignal.isRequested {
            MonotonicClock.sleep(milliseconds: 100)
            let reloads = StopSignal.reloadCount
            if reloads != reloadsHandled {
                reloadsHandled = reloads
                setUp.notifier?.notifyReloading()
                reloader.reloadNow()
                setUp.notifier?.notify("READY=1")
            }
            lag.check()
            if let line = watchdog?.tick(heartbeats: lag.source.heartbeats,
                                         detection: .init(lag.handoff.consumerProgress)) { setUp.log(line) }
        }
    }

    /// Step 4: every queued packet gets a verdict, the detection thread drains and finishes, the steering rule
    /// goes; the blocks stay in the kernel with their timeouts.
    private func shutDown(_ setUp: InlineSetUp, handoff: RecordHandoff, detectionThread: OSThread) {
        let source = setUp.source
        setUp.notifier?.notify("STOPPING=1")
        setUp.log("stopping: verdicting queued packets, removing the steering rule; blocks stay in the kernel")
        source.stop()                          // each packet thread verdicts its queue and flushes its pipeline
        let counters = source.statistics
        let account = "queue \(setUp.queues) released: \(counters.packets) packets received, "
            + "\(counters.accepts) accepted, \(counters.drops) dropped by verdict, the rest of the queue released "
            + "with the fail verdict (\(source.configuration.failOpen ? "accept" : "drop")); "
            + "\(counters.watchdogStalls) watchdog stalls, \(counters.receiveOverruns) overruns, \(counters.errors) errors"
        logger.notice("\(account)")
        for _ in setUp.queues { handoff.finish() }
        if let problem = setUp.control.stop() { logger.warning("\(problem)") }
        detectionThread.join()
        setUp.removeSteering()
        logger.notice("stopped; steering removed, blocks kept in table inet \(settings.blocking.table)")
    }
}
