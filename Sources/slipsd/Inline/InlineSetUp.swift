import Blocker
import Capture
import Detect
import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// The detection thread's side of the inline daemon, built as root in step 1 and then moved, as one value, to
/// the detection thread: the engine and outputs, and the response stage that acts on its alerts.
struct InlineDetectionSide {
    let wiring: DetectionWiring
    let response: ResponseStage?
    /// The `--zeek-logs` writer (`DIR/zeek/`), written by the detection thread only; nil without the flag.
    let zeekLogs: ZeekLogWriter?
    /// What the control thread may use of the response stage.
    let controls: BlockControls?
    /// The state file to restore once the kernel's existing blocks are learned.
    let journal: BlockJournal?
    /// Set-up lines for slipsd.log.
    let messages: [String]
    /// The kernel feed blocklist (threat-intelligence feeds marked for blocking), if any.
    let feeds: FeedBlocklist?
    /// The refresh's inputs: the threat-intelligence section and the detector's hand-over.
    let threatIntel: ThreatIntelSettings
    let threatIntelUpdates: ThreatIntelUpdates

    /// - Throws: output, whitelist or nftables set-up errors.
    init(options: Slipsd, settings: SlipsdSettings) throws {
        let newOutputDirectory = options.outputDirectory.flatMap { OutputDirectoryOwnership.isNew($0) ? $0 : nil }
        let daemonUser = options.noDropPrivileges ? nil : getpwnam(options.user ?? settings.daemon.user)?.pointee
        let detection = try DetectionWiring(settings: settings, outputDirectory: options.outputDirectory,
                                            verbosity: options.verbose, daemonUser: daemonUser?.pw_uid)
        wiring = detection
        // The Zeek logs are created at their first line, after the drop: a DIR/zeek made here goes to the user.
        let newZeekDirectory = options.outputDirectory.flatMap { OutputDirectoryOwnership.isNew($0 + "/zeek") ? $0 + "/zeek" : nil }
        zeekLogs = try options.zeekLogWriter()
        if let directory = newOutputDirectory, let user = daemonUser {
            try OutputDirectoryOwnership.give(directory, uid: user.pw_uid, gid: user.pw_gid)
        } else if let directory = newZeekDirectory, zeekLogs != nil, let user = daemonUser {
            try OutputDirectoryOwnership.give(directory, uid: user.pw_uid, gid: user.pw_gid)
        }
        threatIntel = settings.threatIntel
        threatIntelUpdates = detection.threatIntelUpdates
        if options.noBlock {
            response = nil
            messages = []
            journal = nil
            feeds = nil
        } else {
            let built = try ResponseWiring.make(settings: settings, whitelist: detection.engine.evidenceHandler.whitelist,
                                                daemonUser: options.noDropPrivileges ? nil : options.user ?? settings.daemon.user,
                                                feedSources: detection.feedBlockSources,
                                                report: { line in detection.output?.log(line) })
            response = built.stage
            messages = built.messages
            journal = built.journal
            feeds = built.feeds
            ResponseWiring.connect(detection.engine, to: built.stage,
                                   windowWidthSeconds: settings.detection.timeWindowWidth)
        }
        controls = response?.controls
    }
}

/// Step 1 of the inline daemon: the kernel side that needs root (NFQUEUE sockets, the steering rule, the
/// control socket), done on the main thread before any other thread exists. On failure nothing is left behind
/// (the steering rule is removed if it was installed). Every member is `Sendable`: the main thread keeps it.
struct InlineSetUp: Sendable {
    let queues: ClosedRange<UInt16>
    let source: NFQueueSource
    let steering: QueueSteering?
    let control: ControlServer
    let notifier: SystemdNotifier?
    /// Lines to log once the outputs are owned by the detection thread.
    let messages: [String]
    /// Writes a line to stderr (journald) from any thread.
    let log: @Sendable (String) -> Void = { Console.error("slipsd: \($0)") }

    /// - Parameter lock: the control socket's lock, taken by the caller before any other set-up.
    /// - Throws: the first set-up error (configuration of the queue, the blocker, steering, the control socket).
    init(options: Slipsd, settings: SlipsdSettings, lock: ControlSocketLock) throws {
        queues = (options.queue ?? QueueRange(first: 0, last: 0)).queues
        var messages: [String] = []
        source = try NFQueueSource(configuration: settings.inline.queueConfiguration(queues: queues,
                                                                                      failClosed: options.failClosed),
                                   onEvent: { event in Console.error("slipsd: \(event)") })
        let failClosed = settings.inline.failClosed || options.failClosed
        if options.steer {
            let steering = try QueueSteering(configuration: .init(queues: queues, steerInput: settings.inline.steerInput,
                                                                  bypass: !failClosed))
            let path = try steering.install()
            messages.append("steering forwarded traffic to queue \(queues) \(failClosed ? "without bypass (fail-closed: traffic stops if slipsd dies)" : "with bypass") (\(path.rawValue))")
            self.steering = steering
        } else {
            steering = nil
        }
        do {
            control = try ControlServer(path: settings.daemon.controlSocket, group: settings.daemon.controlGroup,
                                        lock: lock)
        } catch {
            try? steering?.remove()
            throw error
        }
        notifier = SystemdNotifier()
        self.messages = messages
    }

    /// Removes the steering rule (best effort; logged on failure).
    func removeSteering() {
        guard let steering else { return }
        do { try steering.remove() } catch { log("removing the steering rule: \(error)") }
    }
}

extension SlipsdSettings.Inline {
    /// The NFQUEUE configuration of these settings.
    func queueConfiguration(queues: ClosedRange<UInt16>, failClosed: Bool) -> NFQueueConfiguration {
        var nfq = NFQueueConfiguration(queues: queues)
        nfq.copyRange = UInt32(copyRange)
        nfq.maxQueueLength = UInt32(queueMaxLength)
        nfq.receiveBufferSize = socketBufferBytes
        nfq.failOpen = !(self.failClosed || failClosed)
        nfq.gso = gso
        nfq.watchdogStallBound = .milliseconds(watchdogMilliseconds)
        return nfq
    }
}
