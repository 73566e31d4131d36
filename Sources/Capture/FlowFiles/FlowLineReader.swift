import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor as lines, in 1 MiB reads into one buffer that is reused (no copy per line, no
/// allocation per line). Each line is handed to the caller without its `\n` (and without a `\r` before it),
/// borrowed from the buffer for the duration of the call.
///
/// A line longer than the buffer grows it (up to 64 MiB; past that the line is cut there and reported as such).
/// The last line of a file that does not end in a newline is still handed over, marked `unterminated`.
/// Confined to the thread that reads.
final class FlowLineReader {
    /// How a line ended.
    struct Line {
        /// 1-based line number in the file.
        var number: Int
        /// The line had no newline: the file ended inside it (a truncated last line, or simply no final newline).
        var unterminated: Bool
        /// The line was longer than `maximumLine` and was cut.
        var cut: Bool
    }

    /// The longest line kept whole.
    static let maximumLine = 64 << 20
    /// The descriptor read (follow mode compares it with the file now at the path).
    let fd: Int32
    private let ownsDescriptor: Bool
    private let name: String
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes read from the descriptor: for benchmarks against a bare read loop.
    private(set) var bytesRead = 0

    /// Opens `path` for reading.
    /// - Throws: `CaptureError` naming the file and the errno.
    convenience init(path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CaptureError.system("opening", object: path, errno: errno) }
        self.init(descriptor: fd, name: path, owns: true)
    }

    /// Reads an open descriptor (standard input, a pipe); closes it at the end only when `owns`.
    init(descriptor: Int32, name: String, owns: Bool) {
        fd = descriptor
        ownsDescriptor = owns
        self.name = name
        buffer = .allocate(capacity: 1 << 20)
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// Follow mode (`-g`): at the end of the data, `nextLine()` returns nil but keeps a partial last line and reads
    /// on at the next call (the file may grow).
    var follow = false
    private var filled = 0          // bytes in the buffer
    private var start = 0           // first byte of the current line
    private var scan = 0            // where the search for the next newline resumes
    private var number = 0
    private var atEnd = false
    private var skipping = false    // dropping the rest of a cut line

    /// Bytes of a line whose end has not been read yet (follow mode: a line Zeek is still writing).
    var partialLineBytes: Int { skipping ? 0 : filled - start }
    /// Lines handed over so far.
    var linesRead: Int { number }

    /// Calls `body` for every line until the end of input or until `body` returns false.
    /// - Throws: `CaptureError` when a read fails (EINTR is retried).
    func forEachLine(_ body: (FieldBytes, Line) -> Bool) throws(CaptureError) {
        while let (line, info) = try nextLine() {
            if !body(line, info) { return }
        }
    }

    /// The next line, borrowed from the buffer until the next call; nil at the end of input (in follow mode: at
    /// the end of what was written so far).
    /// - Throws: `CaptureError` when a read fails (EINTR is retried).
    func nextLine() throws(CaptureError) -> (FieldBytes, Line)? {
        let base = buffer.baseAddress!
        while true {
            if scan < filled, let found = memchr(base + scan, 0x0A, filled - scan) {
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if skipping {
                    skipping = false
                    start = newline + 1; scan = start
                    continue
                }
                number += 1
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = FieldBytes(rebasing: buffer[start..<end])
                start = newline + 1; scan = start
                return (line, Line(number: number, unterminated: false, cut: false))
            }
            scan = filled
            if atEnd {
                guard start < filled, !skipping else { return nil }
                number += 1
                var end = filled
                if buffer[end - 1] == 0x0D { end -= 1 }
                let line = FieldBytes(rebasing: buffer[start..<end])
                start = filled
                return (line, Line(number: number, unterminated: true, cut: false))
            }
            // Keep the partial line: move it to the front, grow when it fills the buffer.
            if start > 0 {
                let rest = filled - start
                if rest > 0 { memmove(base, base + start, rest) }
                filled = rest; scan = rest; start = 0
            }
            if filled == buffer.count {
                if skipping {
                    filled = 0; scan = 0
                } else if buffer.count >= Self.maximumLine {
                    number += 1
                    skipping = true
                    start = filled; scan = filled
                    return (FieldBytes(buffer), Line(number: number, unterminated: false, cut: true))
                } else {
                    let bigger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: buffer.count * 2)
                    memcpy(bigger.baseAddress!, base, filled)
                    buffer.deallocate()
                    buffer = bigger
                    return try nextLine()
                }
            }
            let n = read(fd, base + filled, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                if follow, errno == EAGAIN { return nil }
                throw CaptureError.system("reading", object: name, errno: errno)
            }
            if n == 0 {
                if follow { return nil }
                atEnd = true
            } else {
                filled += n; bytesRead += n
            }
        }
    }
}
