import ArgumentParser
import NetCore
import Records
import Capture
import Detect

/// `slipsd -f PATH` (and `-r` given a flow file, `-f DIR -g` following a growing Zeek directory, `--input-socket
/// PATH` serving Zeek JSON writers): reads a Zeek log or directory, an Argus binetflow, a Suricata
/// eve.json, an nfdump file or standard input on a reading thread while the detection thread runs the detectors
/// on the records, with the same outputs as a capture, then prints a one-screen summary.
///
/// Exit codes as for captures: 0 done; 1 the input cannot be read (missing, not a flow file, nfdump missing or
/// failing); 3 a file ends inside a line that could not be read (everything before it was analysed);
/// 130 stopped by a signal (0 for `-g` and `--input-socket`, which end so).
struct FlowFileAnalysis {
    let options: Slipsd
    let settings: SlipsdSettings
    let path: String

    func run() -> Int32 {
        StopSignal.install()
        let source: FlowFileSource
        if options.inputSocket != nil {
            source = FlowFileSource(inputSocket: path, warn: { Console.error($0) })
        } else {
            do {
                source = try FlowFileSource(path: path, forcedType: options.inputType, warn: { Console.error($0) })
            } catch {
                Console.error("slipsd: \(error)")
                return 1
            }
            if options.growing {
                guard source.format == .zeekDirectory else {
                    Console.error("slipsd: -g follows a Zeek directory; \(path) is a \(source.format)")
                    return 1
                }
                source.follow = true
            }
        }
        let format = source.format
        // Benchmarks: read and parse only, nothing handed to detection (as `-r` with flows only).
        let parseOnly = ProcessEnvironment.flag("SLIPSD_BENCH_FLOWS_ONLY")
        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let detection: DetectionLoop
        let wiring: DetectionWiring
        do {
            wiring = try DetectionWiring(settings: settings, outputDirectory: options.outputDirectory,
                                         verbosity: options.verbose)
            let flowLog = try options.flowsFile.map { path throws(SystemError) in try FlowLogWriter(path: path) }
            detection = DetectionLoop(handoff: handoff, consumer: wiring.consumer, flowLog: flowLog,
                                      zeekLogs: try options.zeekLogWriter())
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }

        let threads = OfflineThreads.run(producerName: "slipsd-flows", handoff: handoff, consume: {
            detection.run()
            return (detection: detection, wiring: wiring)
        }) {
            Result { () throws(CaptureError) in
                try source.run(handoff: parseOnly ? nil : handoff, shouldStop: { StopSignal.isRequested })
            }
        }
        guard let threads else { return 1 }
        if let error = threads.consumed.detection.flowLogError { Console.error("slipsd: \(error)") }
        if let error = threads.consumed.detection.zeekLogError { Console.error("slipsd: \(error)") }
        switch threads.produced {
        case .failure(let error):
            Console.error("slipsd: \(error)")
            return 1
        case .success(let summary):
            FlowFileRunSummary(summary: summary, flows: threads.consumed.detection.flowSummary, detection: threads.consumed.wiring,
                               elapsedSeconds: threads.elapsedSeconds).print()
            if summary.truncated {
                Console.error("slipsd: \(path) (\(format)) ends inside its last line, which could not be read; the lines before it were analysed")
                return 3
            }
            // Following a directory or serving a socket ends only by a signal: that is their normal end.
            return StopSignal.isRequested && !options.growing && options.inputSocket == nil ? 130 : 0
        }
    }
}

/// `--input-type zeek|argus|suricata|nfdump`, parsed once by the argument parser.
extension FlowInputType: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
