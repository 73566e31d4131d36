import NetCore
import Records
import Foundation

/// Slips' output files in `-o DIR`: `alerts.log` (one human line per evidence and per alert), `alerts.json`
/// (one IDMEFv2 object per line: an "Event" per evidence, an "Incident" per alert), `slipsd.log` and
/// `errors.log`. Buffered; the engine flushes them at least once per second and at the end. Detection thread.
public final class AlertOutput {
    private let alertsLog: BufferedFileWriter
    private let alertsJSON: BufferedFileWriter
    private let runLog: BufferedFileWriter
    private let errorLog: BufferedFileWriter
    /// The directory holding the files.
    public let directory: String

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
        alertsJSON.writeLine(Self.json(Self.event(e)))
    }

    /// One line per alert.
    public func write(alert a: Alert) {
        let types = Set(a.evidence.map(\.type.rawValue)).sorted().joined(separator: ", ")
        alertsLog.writeLine("\(TimeText.human(a.timestamp)) (TW \(a.timeWindow.number)): Src IP \(a.profile.ip). "
                            + "Generated an alert given enough evidence on timewindow \(a.timeWindow.number) "
                            + "(accumulated threat \(Self.rounded(a.accumulatedThreat)); \(types)).")
        alertsJSON.writeLine(Self.json(Self.incident(a)))
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

    static func party(_ value: String, port: UInt16?) -> [String: Any] {
        var entry: [String: Any] = [IPAddress(value) != nil ? "IP" : "Hostname": value]
        if let port { entry["Port"] = [Int(port)] }
        return entry
    }

    static func event(_ e: Evidence) -> [String: Any] {
        var object: [String: Any] = [
            "Version": "2.0.3", "ID": e.id, "Status": "Event", "Severity": severity(e.threatLevel),
            "Confidence": rounded(e.confidence), "Description": e.description,
            "CreateTime": TimeText.iso8601(e.timestamp), "StartTime": TimeText.iso8601(e.timestamp),
            "Source": [party(e.attacker.value, port: e.attacker.direction == .SRC ? e.srcPort : e.dstPort)],
        ]
        if let victim = e.victim {
            object["Target"] = [party(victim.value, port: victim.direction == .DST ? e.dstPort : e.srcPort)]
        }
        var note: [String: Any] = [
            "evidence_type": e.type.rawValue, "threat_level": e.threatLevel.rawValue,
            "timewindow": e.timeWindow.number, "profile_ip": e.profile.ip.description,
            "uids": e.uids.map(\.description), "attacker_direction": e.attacker.direction.rawValue,
            "attacker_ioc_type": e.attacker.iocType.rawValue,
        ]
        if let proto = e.proto { note["proto"] = proto.description }
        if let victim = e.victim { note["victim_direction"] = victim.direction.rawValue; note["victim_ioc_type"] = victim.iocType.rawValue }
        object["Note"] = json(note)
        return object
    }

    static func incident(_ a: Alert) -> [String: Any] {
        let worst = a.evidence.map(\.threatLevel).max() ?? .info
        let note: [String: Any] = ["timewindow": a.timeWindow.number, "accumulated_threat_level": rounded(a.accumulatedThreat),
                                   "evidence_types": a.evidence.map(\.type.rawValue)]
        return [
            "Version": "2.0.3", "ID": a.id, "Status": "Incident", "Severity": severity(worst),
            "Confidence": 1, "Description": "Generated an alert given enough evidence on timewindow \(a.timeWindow.number)",
            "CreateTime": TimeText.iso8601(a.timestamp),
            "StartTime": TimeText.iso8601(a.evidence.map(\.timestamp).min() ?? a.timestamp),
            "Source": [["IP": a.profile.ip.description]], "CorrelID": a.evidence.map(\.id),
            "Note": json(note),
        ]
    }

    static func severity(_ level: ThreatLevel) -> String {
        switch level {
        case .info: "Info"
        case .low: "Low"
        case .medium: "Medium"
        case .high: "High"
        case .critical: "Critical"
        }
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    static func json(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
