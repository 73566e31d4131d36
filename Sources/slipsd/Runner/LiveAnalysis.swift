import Blocker
import Capture
import Detect
import NetCore
import Records

/// `slipsd -i IFACE`: captures live until SIGINT/SIGTERM on a capture thread, with detection on its own
/// thread, then prints the summary. With `-p` alerts also block: the same response stage as `--inline`
/// (nftables table and sets, self-protection, blocks with timeouts); a passive capture cannot drop packets by
/// verdict, so the kernel's drop rules do the dropping.
struct LiveAnalysis {
    let options: Slipsd
    let settings: SlipsdSettings
    let interface: String

    func run() -> Int32 {
        StopSignal.install()
        var configuration = LiveCaptureConfiguration(interface: interface)
        configuration.filter = options.filter
        let source: PcapLiveSource
        let handoff = RecordHandoff(producers: 1, producersMayWait: false)
        let pipeline: PacketPipeline
        let detection: DetectionLoop
        let wiring: DetectionWiring
        var watcher: SelfProtectionWatcher?
        defer { watcher?.stop() }
        do {
            source = try PcapLiveSource(configuration: configuration)
            // The detectors first: what they read of HTTP bodies decides the digests of `http_hashes: auto`.
            wiring = try DetectionWiring(settings: settings, outputDirectory: options.outputDirectory,
                                         verbosity: options.verbose)
            let zeekLogs = try options.zeekLogWriter()
            let consumers = HTTPHashConsumers(zeekLogs: zeekLogs != nil, detectors: wiring.bodyDigestsRead)
            pipeline = try PacketPipeline(flowConfiguration: settings.flows.tableConfiguration, handoff: handoff,
                                          flushEagerly: true,
                                          analyzers: settings.analyzers.configuration(hashConsumers: consumers))
            var consumer = wiring.consumer
            if options.blocking {
                let output = wiring.output
                let built = try ResponseWiring.make(settings: settings,
                                                    whitelist: wiring.engine.evidenceHandler.whitelist,
                                                    report: { line in
                    Console.error("slipsd: \(line)")
                    output?.log(line)
                })
                for message in built.messages { Console.error("slipsd: \(message)") }
                watcher = try built.stage.blocker.protection.map { try SelfProtectionWatcher.start($0) }
                ResponseWiring.connect(wiring.engine, to: built.stage,
                                       windowWidthSeconds: settings.detection.timeWindowWidth)
                // Existing blocks are learned beside the capture, not before it (the kernel drops them meanwhile).
                let learning = try KernelBlockLearning(blocker: built.stage.blocker, journal: built.journal,
                                                       grace: built.stage.grace)
                consumer = KernelBlocksConsumer(wiring.engine, learning: learning, stage: built.stage) { line in
                    Console.error("slipsd: \(line)")
                    output?.log(line)
                }
            }
            let flowLog = try options.flowsFile.map { path throws(SystemError) in try FlowLogWriter(path: path) }
            detection = DetectionLoop(handoff: handoff, consumer: consumer, flowLog: flowLog, zeekLogs: zeekLogs)
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
        Console.error("slipsd: capturing on \(interface)\(options.filter.map { " (filter: \($0))" } ?? "")\(options.blocking ? ", blocking" : ""); Ctrl-C to stop")
        let started = MonotonicClock.now()
        let finished: (detection: DetectionLoop, wiring: DetectionWiring)?
        let captured: (failure: CaptureError?, pipeline: PacketPipeline)?
        do {
            let detectionThread = try OSThreadTask.start(name: "slipsd-detect") {
                detection.run()
                return (detection: detection, wiring: wiring)
            }
            let captureThread = try OSThreadTask.start(name: "slipsd-pcap") {
                var failure: CaptureError?
                do throws(CaptureError) {
                    try source.run(handler: pipeline)
                } catch {
                    failure = error
                    StopSignal.request()
                }
                pipeline.finish()
                handoff.finish()
                return (failure: failure, pipeline: pipeline)
            }
            while !StopSignal.isRequested { MonotonicClock.sleep(milliseconds: 100) }
            source.stop()
            captured = captureThread.join()
            finished = detectionThread.join()
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
        guard let captured, let finished else { return 1 }
        if let failure = captured.failure {
            Console.error("slipsd: \(failure)")
            return 1
        }
        RunSummary(path: "interface \(interface)", source: nil, pipeline: captured.pipeline,
                   flows: finished.detection.flowSummary, detection: finished.wiring,
                   elapsedSeconds: MonotonicClock.now() - started, flowsOnly: false).print()
        return 0
    }
}
