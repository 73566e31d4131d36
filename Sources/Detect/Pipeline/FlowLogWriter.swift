import Capture
#if canImport(Glibc)
import Glibc
#endif

/// Writes final flow records as Zeek-style JSON lines (`--flows FILE`), buffered, flushed at least every second
/// of packet time and at close. Runs on the detection thread.
public final class FlowLogWriter {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var lastFlush: PacketTime = .zero
    /// The file's path.
    public let path: String

    /// Creates (truncates) the file.
    /// - Throws: `CaptureError` naming the path when it cannot be created.
    public init(path: String) throws(CaptureError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CaptureError.system("creating flow log", object: path, errno: errno) }
        buffer.reserveCapacity(1 << 16)
    }

    deinit { close() }

    /// Appends one record unless it is an interim report.
    public func write(_ record: FlowRecord) {
        guard record.reason != .interim else { return }
        buffer.append(contentsOf: ConnLogFormatter.jsonLine(record).utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 || record.lastTime.microseconds - lastFlush.microseconds >= 1_000_000 {
            lastFlush = record.lastTime
            flush()
        }
    }

    /// Writes out the buffer.
    public func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue }; break }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private var closed = false
    /// Flushes and closes the file.
    public func close() {
        guard !closed else { return }
        flush()
        closed = true
        _ = Glibc.close(fd)
    }
}
