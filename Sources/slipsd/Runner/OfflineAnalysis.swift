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
        StopSignal.install()
        let source: PcapFileSource
        do {
            source = try PcapFileSource(path: path)
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
        let flowsOnly = ProcessEnvironment.flag("SLIPSD_BENCH_FLOWS_ONLY")
        let handoff = EventHandoff(producers: 1, producersMayWait: true)
        let pipeline: PacketPipeline
        let detection: DetectionLoop
        let wiring: DetectionWiring?
        do {
            pipeline = try PacketPipeline(flowConfiguration: settings.flows.tableConfiguration,
                                          handoff: flowsOnly ? nil : handoff, flushEagerly: false)
            wiring = flowsOnly ? nil : try DetectionWiring(settings: settings, outputDirectory: options.outputDirectory,
                                                           verbosity: options.verbose, blocking: false)
            let flowLog = try options.flowsFile.map { path throws(CaptureError) in try FlowLogWriter(path: path) }
            detection = DetectionLoop(handoff: handoff, consumer: wiring?.consumer, flowLog: flowLog)
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }

        let started = MonotonicClock.now()
        var readResult: Result<PcapFileSource.Summary, CaptureError>?
        let box = HandOver((source, pipeline, detection))
        do {
            let detectionThread = try CaptureThread.spawn(name: "slipsd-detect") { box.value.2.run() }
            let readResultBox = Mailbox<Result<PcapFileSource.Summary, CaptureError>>()
            let captureThread = try CaptureThread.spawn(name: "slipsd-pcap") {
                let (source, pipeline, _) = box.value
                let result = Result { () throws(CaptureError) in
                    try source.run(handler: pipeline, shouldStop: { StopSignal.isRequested })
                }
                pipeline.finish()
                handoff.finish()
                readResultBox.put(result)
            }
            captureThread.join()
            detectionThread.join()
            readResult = readResultBox.value
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
        let elapsed = MonotonicClock.now() - started

        switch readResult! {
        case .failure(let error):
            Console.error("slipsd: \(error)")
            return 1
        case .success(let summary):
            RunSummary(path: path, source: summary, pipeline: pipeline, flows: detection.flowSummary,
                       detection: wiring, elapsedSeconds: elapsed, flowsOnly: flowsOnly).print()
            if let truncation = summary.truncation {
                Console.error("slipsd: \(path) is truncated: it ends in the middle of a packet (\(truncation)); the \(summary.packets) packets before the cut were analysed")
                return 3
            }
            return StopSignal.isRequested ? 130 : 0
        }
    }
}

/// Monotonic seconds.
enum MonotonicClock {
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        _ = nanosleep(&request, nil)
    }
}

/// Environment switches for benchmarks and tests.
enum ProcessEnvironment {
    static func flag(_ name: String) -> Bool {
        guard let value = getenv(name) else { return false }
        return String(cString: value) == "1"
    }
}
