import Capture
import Foundation
import NetCore
import Records
import Testing

/// The scaffolding the live reference tests share: a scratch directory and network namespaces the test creates
/// (removed with their processes by `close()`), `tcpdump` recording inside one of them, the capture read back
/// through `PcapFileSource` and the pipeline as `slipsd -r` does, and `tshark -T fields` over the same capture.
struct LiveCaptureLab {
    typealias Shell = DNSLiveTrafficTests

    /// The scratch directory (removed by `close()`).
    let directory: String
    /// The namespaces this lab made, the first being where the clients and servers run.
    private(set) var namespaces: [String] = []
    private var background: [Shell.Background] = []

    /// A lab named `short` (a few letters: namespace names must be unique across parallel runs and short).
    /// Cancels the test (skipped, with the reason) when a tool is missing or namespaces cannot be made.
    init(_ short: String, tools: [String], package hint: String) throws {
        for tool in tools + ["tcpdump", "tshark", "ip"] where (try? Self.run(["which", tool]))?.status != 0 {
            try Test.cancel("\(tool) is not installed (make deps installs \(hint), tcpdump, tshark)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(short)live-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try addNamespace("\(short)\(getpid() % 10000)")
    }

    /// Another namespace, `name` (made fresh), with its loopback up.
    mutating func addNamespace(_ name: String) throws {
        _ = try? Self.run(["ip", "netns", "del", name])
        guard try Self.run(["ip", "netns", "add", name]).status == 0 else {
            close()
            try Test.cancel("cannot create a network namespace (not root?)")
        }
        namespaces.append(name)
        _ = try Self.run(["ip", "-n", name, "link", "set", "lo", "up"])
    }

    /// The command prefix that runs in namespace `index`.
    func inside(_ index: Int = 0) -> [String] { ["ip", "netns", "exec", namespaces[index]] }

    /// Starts a long-running command (stopped by `close()` at the latest); its stderr goes to `DIR/name.err`.
    mutating func start(_ name: String, _ arguments: [String]) throws -> Shell.Background {
        let process = try Shell.start(arguments, stderr: "\(directory)/\(name).err")
        background.append(process)
        return process
    }

    /// The text a background command wrote to its stderr.
    func errors(_ name: String) -> String {
        (try? String(contentsOfFile: "\(directory)/\(name).err", encoding: .utf8)) ?? ""
    }

    /// Starts `tcpdump` on `interface` of namespace `index` writing `DIR/name.pcap`, and waits until it listens.
    mutating func record(_ name: String, interface: String = "lo", in index: Int = 0, filter: [String]) throws
        -> (process: Shell.Background, path: String) {
        let path = "\(directory)/\(name).pcap"
        let process = try start("tcpdump-\(name)", inside(index) + ["tcpdump", "-Z", "root", "--immediate-mode", "-B", "32768", "-i",
                                interface, "-U", "-n", "-c", "5000", "-w", path] + filter)
        try #require(Shell.wait(seconds: 10) { errors("tcpdump-\(name)").contains("listening") },
                     "tcpdump did not start listening")
        return (process, path)
    }

    /// Waits until the capture stops growing (every packet written), then stops its tcpdump.
    func finish(_ recording: (process: Shell.Background, path: String)) {
        var size = -1
        _ = Shell.wait(seconds: 5) {
            let now = (try? FileManager.default.attributesOfItem(atPath: recording.path)[.size] as? Int) ?? 0
            defer { size = now }
            return now > 24 && now == size
        }
        Shell.stop(recording.process)
    }

    /// Stops every background command, removes the namespaces (killing what still runs in them) and the directory.
    func close() {
        for process in background.reversed() { Shell.stop(process) }
        for name in namespaces {
            _ = try? Self.run(["sh", "-c", "ip netns pids \(name) | xargs -r kill -9; ip netns del \(name)"])
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a command to its end, its output through a file of its own (suites of different files may run at
    /// once: a shared output file would mix their outputs).
    static func run(_ arguments: [String]) throws -> Shell.Output {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("live-out-\(getpid())-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let status = system(arguments.map(Shell.quote).joined(separator: " ") + " >\(Shell.quote(path)) 2>/dev/null")
        let exit = status >= 0 && status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
        return Shell.Output(status: exit, stdout: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// The records the pipeline makes of a capture (as `slipsd -r`), and its analyzer statistics.
    static func records(_ capture: String, analyzers: AnalyzerConfiguration = AnalyzerConfiguration()) throws
        -> (records: [Record], statistics: AnalyzerStatistics) {
        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let pipeline = try PacketPipeline(flowConfiguration: FlowTableConfiguration(maxFlows: 1_024), handoff: handoff,
                                          flushEagerly: false, analyzers: analyzers)
        _ = try PcapFileSource(path: capture).run(handler: pipeline)
        pipeline.finish()
        handoff.finish()
        var records: [Record] = []
        var batch: [RecordEvent] = []
        while handoff.take(into: &batch) {
            for case .record(let record) in batch { records.append(record) }
            batch.removeAll(keepingCapacity: true)
        }
        return (records, pipeline.analyzerStatistics)
    }

    /// tshark's fields of the packets matching `filter`, one row per packet, `;` between repeated values.
    /// - Parameter decode: `-d` arguments (`tcp.port==8080,http`) for servers on unusual ports.
    static func tshark(_ capture: String, decode: [String] = [], filter: String, fields: [String]) throws -> [[String]] {
        let arguments = ["tshark", "-r", capture] + decode.flatMap { ["-d", $0] }
            + ["-Y", filter, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"]
            + fields.flatMap { ["-e", $0] }
        let output = try run(arguments)
        #expect(output.status == 0, "tshark failed on \(capture) with \(filter)")
        return output.stdout.split(separator: "\n").map {
            $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }.filter { $0.count == fields.count }
    }

    /// The TCP payload of each direction of each connection of a capture, by tshark (`stream/fromServer`).
    static func streams(_ capture: String, serverPort: UInt16) throws -> [String: [UInt8]] {
        var streams: [String: [UInt8]] = [:]
        for row in try tshark(capture, filter: "tcp.len > 0", fields: ["tcp.stream", "tcp.srcport", "tcp.payload"]) {
            streams["\(row[0])/\(row[1] == String(serverPort))", default: []]
                += TLSWire.hex(row[2].replacingOccurrences(of: ":", with: ""))
        }
        return streams
    }
}
