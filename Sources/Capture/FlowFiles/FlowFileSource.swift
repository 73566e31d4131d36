import NetCore
import Records

/// `slipsd -f PATH`: reads a flow file, a Zeek directory or standard input into records (conn records, and the
/// application-layer records of Zeek's other logs and Suricata's other events) and hands them to detection through the same `RecordHandoff` packets use, in batches, with the file's own times (time windows
/// follow the file, not the clock).
///
/// Bad input never stops the run: each bad line is counted by kind, the first of each kind is reported through
/// `warn` with `file:line`, and reading goes on. Runs on one reading thread; confined to it.
public final class FlowFileSource {
    /// The path given (`-`: standard input).
    public let path: String
    /// The format, detected from the content or forced.
    public let format: FlowFileFormat
    private let warn: (String) -> Void
    var summary: FlowFileSummary
    private var profiles = DistinctAddresses()
    private var batch: [RecordEvent] = []
    var bytesRead = 0
    private var certificates = CertificateJoin()
    /// Follow mode (`-g`): a Zeek directory is tailed until `shouldStop` says so.
    public var follow = false

    /// Records per hand-over.
    static let batchSize = 4096

    /// Opens `path` and decides its format.
    /// - Parameters:
    ///   - path: a file, a Zeek directory, or `-` for standard input (which needs `forcedType`).
    ///   - forcedType: `--input-type`; nil to detect from the content.
    ///   - warn: receives the one-line report of the first bad line of each kind, and other notices.
    /// - Throws: `CaptureError` when the path cannot be read or is no flow file slipsd knows.
    public init(path: String, forcedType: FlowInputType?, warn: @escaping (String) -> Void) throws(CaptureError) {
        self.path = path
        self.warn = warn
        if path == "-" {
            guard let forcedType else {
                throw CaptureError(operation: "reading", object: "standard input",
                                   reason: "say what it holds with --input-type zeek|argus|suricata")
            }
            switch forcedType {
            case .zeek: format = .zeekJSON          // TSV or JSON, decided on the first line
            case .argus: format = .argus
            case .suricata: format = .suricata
            case .nfdump:
                throw CaptureError(operation: "reading", object: "standard input",
                                   reason: "nfdump files are binary and are read from a file, not from standard input")
            }
        } else {
            let detected = try FlowFileDetector.detect(path: path)
            switch (forcedType, detected) {
            case (nil, let found?): format = found
            case (nil, nil):
                throw CaptureError(operation: "reading", object: path, reason: """
                    not a flow file slipsd recognises (Zeek log or directory, Argus binetflow, Suricata eve.json, \
                    nfdump); --input-type forces one
                    """)
            case (.zeek?, let found): format = found == .zeekDirectory || found == .zeekJSON ? found! : .zeekTSV
            case (.argus?, _): format = .argus
            case (.suricata?, _): format = .suricata
            case (.nfdump?, _): format = .nfdump
            }
        }
        summary = FlowFileSummary(path: path, format: format)
        batch.reserveCapacity(Self.batchSize)
    }

    /// `--input-socket PATH`: Zeek JSON conn lines from any number of writers on a Unix stream socket at `path`,
    /// until `shouldStop` says so (see `run`).
    public init(inputSocket path: String, warn: @escaping (String) -> Void) {
        self.path = path
        self.warn = warn
        format = .inputSocket
        summary = FlowFileSummary(path: path, format: .inputSocket)
        batch.reserveCapacity(Self.batchSize)
    }

    /// Reads everything, pushing records to `handoff` (nil: parse and count only, for benchmarks), then calls
    /// `handoff.finish()`. `shouldStop` is polled every 64 Ki lines.
    /// - Throws: `CaptureError` when a file cannot be read or nfdump fails; records read before are delivered.
    public func run(handoff: RecordHandoff?, shouldStop: @escaping () -> Bool) throws(CaptureError) -> FlowFileSummary {
        defer {
            flush(handoff)
            if let last = summary.lastTime { var tick = [RecordEvent.tick(last)]; handoff?.push(&tick) }
        }
        switch format {
        case .zeekDirectory:
            let directory = try ZeekDirectory(directory: path)
            if directory.logs.isEmpty { warn("slipsd: \(path): no log slipsd reads in this Zeek directory") }
            if follow {
                try followDirectory(directory, handoff, shouldStop)
            } else {
                try readMerged(directory, handoff, shouldStop)
            }
            for log in directory.notReadYet {
                let lines = try Self.countDataLines(log.path)
                summary.notReadYet.append((ZeekDirectory.lastComponent(log.path), lines))
            }
            summary.ignoredFiles = directory.ignored
        case .nfdump:
            let process = try NfdumpProcess(file: path)
            let reader = FlowLineReader(descriptor: process.output, name: "nfdump -r \(path)", owns: false)
            try read(reader: reader, name: path, parser: NfdumpParser(), handoff, shouldStop)
            let (status, message) = process.wait()
            if status != 0 || (summary.records == 0 && !message.isEmpty) {
                throw CaptureError(operation: "reading nfdump file", object: path,
                                   reason: "nfdump \(status == 0 ? "could not read it" : "failed (exit \(status))")\(message.isEmpty ? "" : ": \(message)")")
            }
        case .zeekTSV, .zeekJSON:
            var kind = path == "-" ? "conn" : ZeekDirectory.kind(ofFile: path)
            if kind == "conn", format == .zeekTSV, let named = Self.zeekPathHeader(of: path) { kind = named }
            if kind != "conn", let other = ZeekLogKind.named(kind) {
                try read(path: path, parser: other.makeParser(), handoff, shouldStop)
            } else if path == "-" || format == .zeekTSV && kind == "conn" {    // forced zeek: TSV or JSON from the first line
                try read(path: path, parser: ZeekAutoParser(path: kind), handoff, shouldStop)
            } else if format == .zeekTSV {
                try read(path: path, parser: ZeekTSVParser(path: kind), handoff, shouldStop)
            } else {
                try read(path: path, parser: ZeekJSONParser(path: kind), handoff, shouldStop)
            }
        case .inputSocket:
            try serveSocket(handoff, shouldStop)
        case .argus:
            try read(path: path, parser: ArgusParser(), handoff, shouldStop)
        case .suricata:
            try read(path: path, parser: SuricataParser(), handoff, shouldStop)
        }
        summary.profiles = profiles.count
        summary.bytes = bytesRead
        let others = summary.recordsByChannel.values.reduce(0, +)
        if summary.records > others { summary.recordsByChannel[ConnRecord.channel] = summary.records - others }
        return summary
    }

    /// A file, or standard input for `-`.
    private func read<Parser: FlowLineParser>(path: String, parser: Parser, _ handoff: RecordHandoff?,
                                              _ shouldStop: () -> Bool) throws(CaptureError) {
        if path == "-" {
            let reader = FlowLineReader(descriptor: 0, name: "standard input", owns: false)
            try read(reader: reader, name: "stdin", parser: parser, handoff, shouldStop, stdin: true)
        } else {
            try read(file: path, parser: parser, handoff, shouldStop)
        }
    }

    private func read<Parser: FlowLineParser>(file: String, parser: Parser, _ handoff: RecordHandoff?,
                                              _ shouldStop: () -> Bool) throws(CaptureError) {
        let reader = try FlowLineReader(path: file)
        try read(reader: reader, name: file, parser: parser, handoff, shouldStop)
    }

    private func read<Parser: FlowLineParser>(reader: FlowLineReader, name: String, parser start: Parser,
                                              _ handoff: RecordHandoff?, _ shouldStop: () -> Bool,
                                              stdin: Bool = false) throws(CaptureError) {
        summary.filesRead.append(name)
        var parser = start
        defer { bytesRead += reader.bytesRead }
        try reader.forEachLine { line, info in
            if stdin, ByteText.equals(ByteText.trimmed(line), "done") {
                summary.endedByDone = true
                return false
            }
            summary.lines += 1
            if info.cut {
                note(.overlongLine, name, info.number, "longer than \(FlowLineReader.maximumLine >> 20) MiB")
                return true
            }
            if let record = handle(parser.parse(line), info, name) { accept(record, handoff) }
            return (summary.lines & 0xFFFF) != 0 || !shouldStop()
        }
    }

    /// What one parsed line does to the counts; the record it holds, if any.
    @inline(__always)
    func handle(_ outcome: FlowLineOutcome, _ info: FlowLineReader.Line, _ name: String) -> Record? {
        switch outcome {
        case .record(let record):
            return record
        case .header:
            break
        case .skipped(let kind):
            summary.problems.skip(kind)
        case .problem(let kind, let detail):
            if info.unterminated {
                summary.truncated = true
                note(.truncatedLastLine, name, info.number, "the file ends inside this line (\(kind.rawValue): \(detail))")
            } else {
                note(kind, name, info.number, detail)
            }
        }
        return nil
    }

    /// Counts a record, learns its profile and time span, and batches it for detection.
    @inline(__always)
    func accept(_ record: Record, _ handoff: RecordHandoff?) {
        summary.records += 1
        var record = record
        let first: PacketTime
        let last: PacketTime
        if case .conn(let conn) = record {
            profiles.insert(conn.originator)
            first = conn.startTime
            last = conn.lastTime
        } else {
            certificates.join(&record)
            let profile = record.profileIP
            if profile != .zeroIPv4 { profiles.insert(profile) }
            summary.recordsByChannel[record.channel, default: 0] += 1
            first = record.time
            last = record.latestTime
        }
        if summary.firstTime.map({ first < $0 }) ?? true { summary.firstTime = first }
        if summary.lastTime.map({ last > $0 }) ?? true { summary.lastTime = last }
        guard handoff != nil else { return }
        batch.append(.record(record))
        if batch.count >= Self.batchSize { flush(handoff) }
    }

    func flush(_ handoff: RecordHandoff?) {
        guard let handoff, !batch.isEmpty else { return }
        handoff.push(&batch)
    }

    func note(_ kind: FlowProblemKind, _ file: String, _ line: Int, _ detail: String) {
        if summary.problems.count(kind, at: "\(file):\(line)", detail: detail) {
            warn("slipsd: \(file):\(line): \(kind.rawValue): \(detail) (further lines of this kind are counted; see the summary)")
        }
    }

    /// The kind a TSV log names in its `#path` header, when it is a kind Slips reads (a log not named after its
    /// kind: `2026-12-02.log` holding http lines); nil otherwise.
    static func zeekPathHeader(of path: String) -> String? {
        guard let reader = try? FlowLineReader(path: path) else { return nil }
        var found: String?
        var looked = 0
        try? reader.forEachLine { line, _ in
            looked += 1
            let content = ByteText.trimmed(line)
            guard !content.isEmpty, content[0] == 0x23 else { return content.isEmpty && looked < 64 }
            if ByteText.hasPrefix(content, "#path") {
                let name = ByteText.string(ByteText.trimmed(ByteText.slice(content, 5..<content.count)))
                if ZeekLogKind.named(name) != nil { found = name }
                return false
            }
            return looked < 64
        }
        return found
    }

    /// Lines of a Zeek log that are neither headers nor empty.
    static func countDataLines(_ path: String) throws(CaptureError) -> Int {
        var count = 0
        try FlowLineReader(path: path).forEachLine { line, _ in
            let content = ByteText.trimmed(line)
            if !content.isEmpty, content[0] != 0x23 { count += 1 }
            return true
        }
        return count
    }
}
