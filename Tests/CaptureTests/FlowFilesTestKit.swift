import Foundation
import NetCore
import Records
@testable import Capture

/// Fixtures for the flow-file tests: each test writes its own files into a fresh temporary directory, reads them
/// with `FlowFileSource` on the test's thread and gets back the records, the summary and the warnings.
enum FlowFilesTestKit {
    /// The outcome of reading one input.
    struct Read {
        var records: [ConnRecord]
        /// Every record handed over, of every kind, in order.
        var all: [Record]
        var summary: FlowFileSummary
        var warnings: [String]
    }

    /// A new empty directory; the caller removes it.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "slipsd-flowfiles-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `text` byte for byte (no newline added) to `directory/name` and returns the path.
    @discardableResult
    static func write(_ text: String, to directory: String, name: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads `path` to its end and collects every record handed over.
    static func read(_ path: String, type: FlowInputType? = nil) throws -> Read {
        final class Warnings { var lines: [String] = [] }
        let warnings = Warnings()
        let source = try FlowFileSource(path: path, forcedType: type, warn: { warnings.lines.append($0) })
        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let summary = try source.run(handoff: handoff, shouldStop: { false })
        handoff.finish()
        var records: [ConnRecord] = []
        var all: [Record] = []
        var batch: [RecordEvent] = []
        while handoff.take(into: &batch, timeoutMicroseconds: 1_000) {
            for case .record(let record) in batch {
                all.append(record)
                if case .conn(let conn) = record { records.append(conn) }
            }
            batch.removeAll()
        }
        return Read(records: records, all: all, summary: summary, warnings: warnings.lines)
    }

    /// Microseconds since the epoch of a UTC calendar time, computed by Foundation (an independent check of the
    /// readers' own arithmetic).
    static func utcMicroseconds(_ text: String, format: String) -> Int64 {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        guard let date = formatter.date(from: text) else { return -1 }
        return Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}
