import NetCore
import Records
import Foundation

/// Slips' output files in `-o DIR`: `alerts.log` (one human line per evidence and per alert), `alerts.json`
/// (one IDMEFv2 object per line: an "Event" per evidence, an "Incident" per alert), `slipsd.log` and
/// `errors.log`. The JSON is written from `Codable` values (`IDMEFv2`) with a `JSONEncoder`. Buffered; the engine flushes them at least once per second and at the end. Detection thread.
public final class AlertOutput {
    private let alertsLog: BufferedFileWriter
    private let alertsJSON: BufferedFileWriter
    private let runLog: BufferedFileWriter
    private let errorLog: BufferedFileWriter
    /// The directory holding the files.
    public let directory: String
    private let encoder = AlertOutput.makeEncoder()

    /// Creates the directory (if needed) and the four files.
    /// - Throws: `SystemError` naming what could not be created.
    public init(directory: String) throws(SystemError) {
        self.directory = directory
        if mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw SystemError.current("creating output directory", object: directory)
        }
        alertsLog = try BufferedFileWriter(path: directory + "/alerts.log")
        alertsJSON = try BufferedFileWriter(path: directory + "/alerts.json")
        runLog = try BufferedFileWriter(path: directory + "/slipsd.log")
        errorLog = try BufferedFileWriter(path: directory + "/errors.log")
    }

    /// One line per evidence, in Slips' shape.
    public func write(evidence e: Evidence) {
        alertsLog.writeLine("\(TimeText.human(e.timestamp)) (TW \(e.timeWindow.number)): Src IP \(e.profile.ip). "
                            + "Detected \(e.description) threat level: \(e.threatLevel.rawValue).")
        alertsJSON.writeLine(Self.json(Self.event(e, encoder: encoder), encoder))
    }

    /// One line per alert.
    public func write(alert a: Alert) {
        let types = Set(a.evidence.map(\.type.rawValue)).sorted().joined(separator: ", ")
        alertsLog.writeLine("\(TimeText.human(a.timestamp)) (TW \(a.timeWindow.number)): Src IP \(a.profile.ip). "
                            + "Generated an alert given enough evidence on timewindow \(a.timeWindow.number) "
                            + "(accumulated threat \(IDMEFv2.rounded(a.accumulatedThreat)); \(types)).")
        alertsJSON.writeLine(Self.json(Self.incident(a, encoder: encoder), encoder))
    }

    /// A line in slipsd.log.
    public func log(_ text: String) { runLog.writeLine(text) }

    /// A line in errors.log.
    public func error(_ text: String) { errorLog.writeLine(text) }

    private var files: [BufferedFileWriter] { [alertsLog, alertsJSON, runLog, errorLog] }

    /// Writes out every buffer.
    /// - Throws: the first write error (`SystemError` naming the file); the other files are still flushed.
    public func flush() throws(SystemError) {
        var first: SystemError?
        for file in files {
            do { try file.flush() } catch { first = first ?? error }
        }
        if let first { throw first }
    }

    /// After log rotation: every file is flushed to the file it had and opened again at its path (appending,
    /// created if rotation moved it away, never through a symbolic link).
    /// - Throws: the first error; a file that cannot be reopened keeps writing to the one it had.
    public func reopen() throws(SystemError) {
        var first: SystemError?
        for file in files {
            do { try file.reopen() } catch { first = first ?? error }
        }
        if let first { throw first }
    }

    /// Flushes and closes every file.
    /// - Throws: the first write or close error.
    public func close() throws(SystemError) {
        var first: SystemError?
        for file in files {
            do { try file.close() } catch { first = first ?? error }
        }
        if let first { throw first }
    }

    /// The last write error of any file, if writes are failing.
    public var lastError: SystemError? { files.lazy.compactMap(\.lastError).first }

    // MARK: IDMEFv2

    /// The IDMEFv2 Event of an evidence.
    static func event(_ e: Evidence, encoder: JSONEncoder) -> IDMEFv2.Event {
        let note = IDMEFv2.EventNote(
            evidenceType: e.type.rawValue, threatLevel: e.threatLevel.rawValue, timewindow: e.timeWindow.number,
            profileIP: e.profile.ip.description, uids: e.uids.map(\.description),
            attackerDirection: e.attacker.direction.rawValue, attackerIoCType: e.attacker.iocType.rawValue,
            proto: e.proto?.description, victimDirection: e.victim?.direction.rawValue,
            victimIoCType: e.victim?.iocType.rawValue, attackerVerified: e.attackerVerified)
        return IDMEFv2.Event(
            id: e.id, severity: IDMEFv2.severity(e.threatLevel), confidence: IDMEFv2.rounded(e.confidence),
            description: e.description, createTime: TimeText.iso8601(e.timestamp),
            startTime: TimeText.iso8601(e.timestamp),
            source: [IDMEFv2.Party(e.attacker.value, port: e.attacker.direction == .SRC ? e.srcPort : e.dstPort)],
            target: e.victim.map { [IDMEFv2.Party($0.value, port: $0.direction == .DST ? e.dstPort : e.srcPort)] },
            note: json(note, encoder))
    }

    /// The IDMEFv2 Incident of an alert.
    static func incident(_ a: Alert, encoder: JSONEncoder) -> IDMEFv2.Incident {
        let worst = a.evidence.map(\.threatLevel).max() ?? .info
        let note = IDMEFv2.IncidentNote(timewindow: a.timeWindow.number,
                                        accumulatedThreatLevel: IDMEFv2.rounded(a.accumulatedThreat),
                                        evidenceTypes: a.evidence.map(\.type.rawValue), verified: a.verified)
        return IDMEFv2.Incident(
            id: a.id, severity: IDMEFv2.severity(worst),
            description: "Generated an alert given enough evidence on timewindow \(a.timeWindow.number)",
            createTime: TimeText.iso8601(a.timestamp),
            startTime: TimeText.iso8601(a.evidence.map(\.timestamp).min() ?? a.timestamp),
            source: [IDMEFv2.Party(a.profile.ip.description, port: nil)], correlID: a.evidence.map(\.id),
            note: json(note, encoder))
    }

    /// One line of JSON with sorted keys (`{}` if a value cannot be encoded, which finite numbers always can).
    static func json(_ value: some Encodable, _ encoder: JSONEncoder) -> String {
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The encoder for `alerts.json`: sorted keys, one line per object.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
