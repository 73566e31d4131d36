import NetCore
import Records

/// Writes final flow records as Zeek-style JSON conn.log lines (`--flows FILE`), buffered, flushed at least every
/// second of packet time and at close. Runs on the detection thread. Write errors are kept in `lastError` (and
/// thrown by `close()`), never dropped silently.
public final class FlowLogWriter {
    private let file: BufferedFileWriter
    private var lastFlush: PacketTime = .zero
    /// The file's path.
    public var path: String { file.path }
    /// The last write error, if writes are failing.
    public var lastError: SystemError? { file.lastError }

    /// Creates (truncates) the file.
    /// - Throws: `SystemError` naming the path when it cannot be created.
    public init(path: String) throws(SystemError) {
        file = try BufferedFileWriter(path: path, permissions: [.ownerReadWrite, .groupRead, .otherRead])
    }

    /// Appends one record unless it is an interim report.
    public func write(_ record: ConnRecord) {
        guard record.reason != .interim else { return }
        file.writeLine(ConnLogFormatter.jsonLine(record))
        if record.lastTime.microseconds(since: lastFlush) >= 1_000_000 {
            lastFlush = record.lastTime
            try? file.flush()
        }
    }

    /// Writes out the buffer.
    /// - Throws: `SystemError` naming the file.
    public func flush() throws(SystemError) { try file.flush() }

    /// Flushes and closes the file.
    /// - Throws: `SystemError` naming the file.
    public func close() throws(SystemError) { try file.close() }
}
