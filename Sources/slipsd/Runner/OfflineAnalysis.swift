import NetCore
import Records
import Capture
import Detect
#if canImport(Glibc)
import Glibc
#endif

/// `slipsd -r FILE`: reads a capture to its end on a capture thread while a detection thread runs the
/// detectors, then prints a one-screen summary. Exit 0 on success; 1 with one clear message when the file
/// cannot be read.
struct OfflineAnalysis {
    let options: Slipsd
    let settings: SlipsdSettings
    let path: String

    func run() -> Int32 {
        // `-r` also takes flow files (Slips' `-f` inputs): detected from the content, or forced by --input-type.
        if options.inputType != nil || FlowFileDetector.isFlowFile(path: path) {
            return FlowFileAnalysis(options: options, settings: settings, path: path).run()
        }
        StopSignal.install()
        let source: PcapFileSource
        do {
            // A FIFO without a writer waits here; SIGINT/SIGTERM ends the wait (the first signal, not the second).
            source = try PcapFileSource(path: path, shouldStop: { StopSignal.isRequested })
        } catch {
            Console.error("slipsd: \(error)")
            return StopSignal.isRequested ? 130 : 1
        }
        let flowsOnly = ProcessEnvironment.flag("SLIPSD_BENCH_FLOWS_ONLY")
        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let pipeline: PacketPipeline
        let detection: DetectionLoop
        let wiring: DetectionWiring?
        do {
            // The detectors first: what they read of HTTP bodies decides the digests of `http_hashes: auto`.
            wiring = flowsOnly ? nil : try DetectionWiring(settings: settings, outputDirectory: options.outputDirectory,
                                                           verbosity: options.verbose)
            let zeekLogs = try options.zeekLogWriter()
            let consumers = HTTPHashConsumers(zeekLogs: zeekLogs != nil, detectors: wiring?.bodyDigestsRead ?? [])
            pipeline = try PacketPipeline(flowConfiguration: settings.flows.tableConfiguration,
                                          handoff: flowsOnly ? nil : handoff, flushEagerly: false,
                                          analyzers: settings.analyzers.configuration(hashConsumers: consumers))
            let flowLog = try options.flowsFile.map { path throws(SystemError) in try FlowLogWriter(path: path) }
            detection = DetectionLoop(handoff: handoff, consumer: wiring?.consumer, flowLog: flowLog, zeekLogs: zeekLogs)
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }

        let threads = OfflineThreads.run(producerName: "slipsd-pcap", handoff: handoff, consume: {
            detection.run()
            return (detection: detection, wiring: wiring)
        }) {
            let result = Result { () throws(CaptureError) in
                try source.run(handler: pipeline, shouldStop: { StopSignal.isRequested })
            }
            pipeline.finish()
            return (result: result, pipeline: pipeline)
        }
        guard let threads else { return 1 }
        if let error = threads.consumed.detection.flowLogError { Console.error("slipsd: \(error)") }
        if let error = threads.consumed.detection.zeekLogError { Console.error("slipsd: \(error)") }

        switch threads.produced.result {
        case .failure(let error):
            Console.error("slipsd: \(error)")
            return 1
        case .success(let summary):
            RunSummary(path: path, source: summary, pipeline: threads.produced.pipeline,
                       flows: threads.consumed.detection.flowSummary, detection: threads.consumed.wiring,
                       elapsedSeconds: threads.elapsedSeconds, flowsOnly: flowsOnly).print()
            if let truncation = summary.truncation {
                Console.error("slipsd: \(path) is truncated: it ends in the middle of a packet (\(truncation)); the \(summary.packets) packets before the cut were analysed")
                return 3
            }
            return StopSignal.isRequested ? 130 : 0
        }
    }
}

/// Environment switches for benchmarks and tests.
enum ProcessEnvironment {
    static func flag(_ name: String) -> Bool {
        guard let value = getenv(name) else { return false }
        return String(cString: value) == "1"
    }
}
