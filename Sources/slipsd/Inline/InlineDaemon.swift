import Blocker
import Capture
import Detect
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `slipsd --inline --queue N`: sits on NFQUEUE, runs flows and detectors on every forwarded packet, and blocks
/// attackers in the kernel.
///
/// Start-up, in this order, on the main thread with no other thread alive:
/// 1. as root: outputs, detection, nftables blocker table (existing blocks adopted), steering rule (with
///    bypass), NFQUEUE sockets, control socket, systemd notify socket;
/// 2. privilege drop to the configured user keeping only CAP_NET_ADMIN (verified, or refuse to run);
/// 3. threads: detection (also executes blocks), one packet thread per queue plus the watchdog, control.
/// Shutdown (SIGINT/SIGTERM): every queued packet gets a verdict, the steering rule is removed, blocks stay in
/// the kernel with their timeouts.
struct InlineDaemon {
    let options: Slipsd
    let settings: SlipsdSettings

    func run() -> Int32 {
        StopSignal.install()
        let blocking = !options.noBlock
        let queues: ClosedRange<UInt16>
        do {
            let range = try QueueRange.parse(options.queue ?? "0")
            queues = range.first...range.last
        } catch {
            Console.error("slipsd: \(error)")
            return 2
        }
        let notifier = SystemdNotifier()
        var messages: [String] = []
        let log: @Sendable (String) -> Void = { Console.error("slipsd: \($0)") }

        // 1. Privileged set-up.
        let wiring: DetectionWiring
        let blocker: NftablesBlocker?
        let steering: QueueSteering?
        let source: NFQueueSource
        let control: ControlServer
        let blockedInProcess = BlockedAddresses()
        let grace = UnblockGrace(seconds: settings.blocking.unblockGraceSeconds)
        do {
            wiring = try DetectionWiring(settings: settings, outputDirectory: options.outputDirectory,
                                         verbosity: options.verbose, blocking: blocking)
            if blocking {
                blocker = try BlockerFactory.make(settings: settings)
                let setUp = try blocker!.setUp()
                messages.append("nftables table inet \(settings.blocking.table) \(setUp.adopted ? "adopted (existing blocks kept)" : "created")")
                for element in try blocker!.list() {
                    if let ip = IPAddress(element.address.description) { blockedInProcess.insert([ip]) }
                }
                for warning in blocker!.protection?.warnings ?? [] { messages.append(warning) }
            } else {
                blocker = nil
            }
            var nfq = NFQueueConfiguration(queues: queues)
            nfq.copyRange = UInt32(settings.inline.copyRange)
            nfq.maxQueueLength = UInt32(settings.inline.queueMaxLength)
            nfq.receiveBufferSize = settings.inline.socketBufferBytes
            nfq.failOpen = !(settings.inline.failClosed || options.failClosed)
            nfq.gso = settings.inline.gso
            nfq.watchdogStallBound = .milliseconds(settings.inline.watchdogMilliseconds)
            source = try NFQueueSource(configuration: nfq, onEvent: { event in log("\(event)") })
            if options.steer {
                steering = try QueueSteering(configuration: .init(queues: queues, steerInput: settings.inline.steerInput))
                let path = try steering!.install()
                messages.append("steering forwarded traffic to queue \(queues) with bypass (\(path.rawValue))")
            } else {
                steering = nil
            }
            control = try ControlServer(path: settings.daemon.controlSocket, group: settings.daemon.controlGroup)
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }

        // 2. Privilege drop: only CAP_NET_ADMIN stays (verdicts and nftables messages need it).
        if options.noDropPrivileges {
            messages.append("WARNING: --no-drop-privileges: running as root")
        } else {
            do {
                let (user, state) = try PrivilegeDrop.drop(to: options.user ?? settings.daemon.user, keep: [PrivilegeDrop.netAdmin])
                messages.append("running as \(user) with only CAP_NET_ADMIN (\(state))")
            } catch {
                Console.error("slipsd: \(error); refusing to run")
                steering.map { try? $0.remove() }
                return 1
            }
        }

        // 3. Threads (they inherit CAP_NET_ADMIN from this thread).
        let executor = blocker.map { BlockExecutor(blocker: $0, blockedInProcess: blockedInProcess, grace: grace, log: { line in
            log(line)
            wiring.output?.log(line)
        }) }
        wiring.engine.onBlockRequest = executor.map { e in { request in e.execute(request) } }
        let handoff = EventHandoff(producers: queues.count, producersMayWait: false)
        let detection = DetectionLoop(handoff: handoff, consumer: wiring.consumer, flowLog: nil)
        let pipelines = Mutex<[HandOver<PacketPipeline>]>([])
        let flowConfiguration = settings.flows.tableConfiguration
        let detectionBox = HandOver(detection)
        do {
            let detectionThread = try CaptureThread.spawn(name: "slipsd-detect") { detectionBox.value.run() }
            try source.start(makeHandler: { _ in
                // Validated at start-up by PacketPipeline's own check below; cannot fail here.
                let pipeline = try! PacketPipeline(flowConfiguration: flowConfiguration, handoff: handoff,
                                                   blocked: blockedInProcess, flushEagerly: true)
                pipelines.withLock { $0.append(HandOver(pipeline)) }
                return pipeline
            })
            try control.start { request in
                switch request {
                case .status:
                    return ["ok": true, "queues": "\(queues)", "blocked_in_process": blockedInProcess.snapshot.count]
                case .unblock(let text):
                    guard let ip = IPAddress(text) else { return ["ok": false, "error": "bad IP"] }
                    grace.start(ip)
                    blockedInProcess.remove(ip)
                    let removed = (try? blocker?.unblock(BlockAddress(text)!)) ?? false
                    return ["ok": true, "removed": removed, "grace_seconds": settings.blocking.unblockGraceSeconds]
                }
            }
            for message in messages { log(message); wiring.output?.log(message) }
            log("inline on queue \(queues) ready (\(blocking ? "blocking" : "detect only"), \(source.configuration.failOpen ? "fail-open" : "fail-closed"))")
            notifier?.notify("READY=1\nSTATUS=inline on queue \(queues)")

            while !StopSignal.isRequested { MonotonicClock.sleep(milliseconds: 100) }

            notifier?.notify("STOPPING=1")
            log("stopping: verdicting queued packets, removing the steering rule; blocks stay in the kernel")
            source.stop()
            for box in pipelines.withLock({ $0 }) { box.value.finish() }
            for _ in queues { handoff.finish() }
            control.stop()
            detectionThread.join()
            if let steering { try steering.remove() }
        } catch {
            Console.error("slipsd: \(error)")
            source.stop()
            steering.map { try? $0.remove() }
            return 1
        }
        return 0
    }
}

/// Builds the blocker and its self-protection from the settings.
enum BlockerFactory {
    static func make(settings: SlipsdSettings) throws -> NftablesBlocker {
        let allowlist = settings.blocking.allowlist.compactMap { CIDR($0.contains("/") ? $0 : $0 + ($0.contains(":") ? "/128" : "/32")) }
        let protection = SelfProtection(allowlist: allowlist)
        return try NftablesBlocker(configuration: .init(tableName: settings.blocking.table), protection: protection)
    }
}
