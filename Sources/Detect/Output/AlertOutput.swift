#if canImport(Glibc)
import Glibc
#endif
import NetCore
import Records

/// Slips' output files in `-o DIR`, at Slips' paths: `DIR/alerts/alerts.log` (one human line per evidence and per
/// alert, `AlertLogLine`), `DIR/alerts/alerts.json` (one IDMEFv2 object per line: an "Event" per evidence, an
/// "Incident" per alert, `IDMEFv2Writer`), and the run's logs where Slips keeps `slips.log` and `errors.log`, in
/// `DIR` itself: `DIR/slipsd.log` and `DIR/errors.log`.
///
/// Lines are built as bytes in two reusable buffers and appended to buffered files: no Foundation, no encoder, no
/// per-field allocation. The engine flushes the files at least once per second and at the end. Detection thread.
public final class AlertOutput {
    private let alertsLog: BufferedFileWriter
    private let alertsJSON: BufferedFileWriter
    private let runLog: BufferedFileWriter
    private let errorLog: BufferedFileWriter
    /// The directory holding the files (`-o`).
    public let directory: String
    /// `directory/alerts`, holding alerts.log and alerts.json.
    public let alertsDirectory: String
    private var idmef: IDMEFv2Writer
    private var json = JSONBuffer(capacity: 8192)
    private var line: [UInt8] = []
    /// Formatted seconds of the packet times in alerts.log.
    private var logTimes = ISO8601Cache()
    /// The last profile written and its text (evidence comes in runs of one profile).
    private var lastProfile: (ip: IPAddress, text: String)?

    /// Creates the directories (if needed) and the four files.
    /// - Parameters:
    ///   - analyzerIP: the IDMEFv2 `Analyzer`'s `IP` (0.0.0.0, as Slips, when no interface is analysed).
    ///   - model: the IDMEFv2 `Analyzer`'s `Model`.
    /// - Throws: `SystemError` naming what could not be created.
    public init(directory: String, analyzerIP: String = "0.0.0.0", model: String = "slipsd") throws(SystemError) {
        self.directory = directory
        alertsDirectory = directory + "/alerts"
        for path in [directory, alertsDirectory] where mkdir(path, 0o750) != 0 && errno != EEXIST {
            throw SystemError.current("creating output directory", object: path)
        }
        alertsLog = try BufferedFileWriter(path: alertsDirectory + "/alerts.log")
        alertsJSON = try BufferedFileWriter(path: alertsDirectory + "/alerts.json")
        runLog = try BufferedFileWriter(path: directory + "/slipsd.log")
        errorLog = try BufferedFileWriter(path: directory + "/errors.log")
        idmef = IDMEFv2Writer(analyzerIP: analyzerIP, model: model)
        line.reserveCapacity(2048)
    }

    /// One line per evidence in each of alerts.log and alerts.json.
    /// - Parameter accumulatedThreat: the profile's accumulated threat in the window after this evidence (the
    ///   Event's note, as Slips writes it).
    public func write(evidence e: Evidence, accumulatedThreat: Double = 0) {
        let profileText = text(of: e.profile.ip)
        line.removeAll(keepingCapacity: true)
        AlertLogLine.evidence(e, profileText: profileText, times: &logTimes, into: &line)
        alertsLog.write(line)
        json.reset()
        idmef.event(e, accumulatedThreat: accumulatedThreat,
                    createTime: PacketTime(microseconds: TimeBytes.wallClockMicroseconds()), profileText: profileText,
                    into: &json)
        json.appendBytes { $0.append(0x0A) }
        alertsJSON.write(json.bytes)
    }

    /// `ip` as text, reusing the text of the profile written last.
    private func text(of ip: IPAddress) -> String {
        if let last = lastProfile, last.ip == ip { return last.text }
        let text = ip.description
        lastProfile = (ip, text)
        return text
    }

    /// One line per alert in each of alerts.log and alerts.json.
    public func write(alert a: Alert) {
        let now = PacketTime(microseconds: TimeBytes.wallClockMicroseconds())
        line.removeAll(keepingCapacity: true)
        AlertLogLine.alert(a, realTime: now, times: &logTimes, into: &line)
        alertsLog.write(line)
        json.reset()
        idmef.incident(a, createTime: now, into: &json)
        json.appendBytes { $0.append(0x0A) }
        alertsJSON.write(json.bytes)
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
}
