import Capture
import Detect

/// `slipsd -i IFACE`: captures live until SIGINT/SIGTERM on a capture thread, with detection on its own
/// thread, then prints the summary. With `-p` alerts also block (the inline daemon's blocker).
struct LiveAnalysis {
    let options: Slipsd
    let settings: SlipsdSettings
    let interface: String

    func run() -> Int32 {
        StopSignal.install()
        var configuration = LiveCaptureConfiguration(interface: interface)
        configuration.filter = options.filter
        let source: PcapLiveSource
        let handoff = EventHandoff(producers: 1, producersMayWait: false)
        let pipeline: PacketPipeline
        let detection: DetectionLoop
        let wiring: DetectionWiring
        do {
            source = try PcapLiveSource(configuration: configuration)
            pipeline = try PacketPipeline(flowConfiguration: settings.flows.tableConfiguration, handoff: handoff,
                                          flushEagerly: true)
            wiring = try DetectionWiring(settings: settings, outputDirectory: options.outputDirectory,
                                         verbosity: options.verbose, blocking: options.blocking)
            let flowLog = try options.flowsFile.map { path throws(CaptureError) in try FlowLogWriter(path: path) }
            detection = DetectionLoop(handoff: handoff, consumer: wiring.consumer, flowLog: flowLog)
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
        Console.error("slipsd: capturing on \(interface)\(options.filter.map { " (filter: \($0))" } ?? ""); Ctrl-C to stop")
        let started = MonotonicClock.now()
        let box = HandOver((source, pipeline, detection))
        let failure = Mailbox<String>()
        do {
            let detectionThread = try CaptureThread.spawn(name: "slipsd-detect") { box.value.2.run() }
            let captureThread = try CaptureThread.spawn(name: "slipsd-pcap") {
                do throws(CaptureError) {
                    try box.value.0.run(handler: box.value.1)
                } catch {
                    failure.put("\(error)")
                }
                box.value.1.finish()
                handoff.finish()
            }
            while !StopSignal.isRequested && failure.value == nil { MonotonicClock.sleep(milliseconds: 100) }
            source.stop()
            captureThread.join()
            detectionThread.join()
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
        if let message = failure.value {
            Console.error("slipsd: \(message)")
            return 1
        }
        RunSummary(path: "interface \(interface)", source: nil, pipeline: pipeline, flows: detection.flowSummary,
                   detection: wiring, elapsedSeconds: MonotonicClock.now() - started, flowsOnly: false).print()
        return 0
    }
}
