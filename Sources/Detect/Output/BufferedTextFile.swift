import Capture
#if canImport(Glibc)
import Glibc
#endif

/// An append-only text file written through a buffer that is flushed when asked (at least once per second by
/// its owner) and at close, so a killed run loses at most the last second. Confined to one thread.
public final class BufferedTextFile {
    public let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    /// Creates or truncates `path` (mode 0640).
    /// - Throws: `CaptureError` naming the path.
    public init(path: String, truncate: Bool = true) throws(CaptureError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND), 0o640)
        guard fd >= 0 else { throw CaptureError.system("creating output file", object: path, errno: errno) }
    }

    deinit { close() }

    /// Appends a line (a newline is added).
    public func writeLine(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes out what is buffered.
    public func flush() {
        guard !closed, !buffer.isEmpty else { return }
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue }; break }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes.
    public func close() {
        guard !closed else { return }
        flush()
        closed = true
        _ = Glibc.close(fd)
    }
}

/// Time formatting for output lines, without Foundation.
public enum TimeText {
    /// `2021-09-21 11:57:25` (UTC).
    public static func human(_ time: PacketTime) -> String {
        let (date, clock) = parts(time)
        return "\(date) \(clock)"
    }

    /// `2021-09-21T11:57:25.783595+00:00`.
    public static func iso8601(_ time: PacketTime) -> String {
        let (date, clock) = parts(time)
        let micros = Int(((time.microseconds % 1_000_000) + 1_000_000) % 1_000_000)
        return "\(date)T\(clock).\(pad(micros, 6))+00:00"
    }

    private static func parts(_ time: PacketTime) -> (String, String) {
        var seconds = time_t(time.microseconds / 1_000_000)
        var t = tm()
        gmtime_r(&seconds, &t)
        return ("\(pad(Int(t.tm_year) + 1900, 4))-\(pad(Int(t.tm_mon) + 1, 2))-\(pad(Int(t.tm_mday), 2))",
                "\(pad(Int(t.tm_hour), 2)):\(pad(Int(t.tm_min), 2)):\(pad(Int(t.tm_sec), 2))")
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        var text = String(value)
        while text.count < width { text = "0" + text }
        return text
    }
}
