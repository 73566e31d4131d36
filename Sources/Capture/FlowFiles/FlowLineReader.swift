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
    private let fd: Int32
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

    /// Calls `body` for every line until the end of input or until `body` returns false.
    /// - Throws: `CaptureError` when a read fails (EINTR is retried).
    func forEachLine(_ body: (FieldBytes, Line) -> Bool) throws(CaptureError) {
        var filled = 0          // bytes in the buffer
        var start = 0           // first byte of the current line
        var number = 0
        var atEnd = false
        while true {
            // Hand over every complete line in the buffer.
            var scan = start
            while scan < filled {
                guard let found = memchr(buffer.baseAddress! + scan, 0x0A, filled - scan) else { break }
                let newline = buffer.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                number += 1
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = FieldBytes(rebasing: buffer[start..<end])
                if !body(line, Line(number: number, unterminated: false, cut: false)) { return }
                start = newline + 1
                scan = start
            }
            if atEnd {
                if start < filled {
                    number += 1
                    var end = filled
                    if buffer[end - 1] == 0x0D { end -= 1 }
                    _ = body(FieldBytes(rebasing: buffer[start..<end]), Line(number: number, unterminated: true, cut: false))
                }
                return
            }
            // Keep the partial line: move it to the front, grow when it fills the buffer.
            if start > 0 {
                let rest = filled - start
                if rest > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, rest) }
                filled = rest
                start = 0
            }
            if filled == buffer.count {
                if buffer.count >= Self.maximumLine {
                    number += 1
                    if !body(FieldBytes(buffer), Line(number: number, unterminated: false, cut: true)) { return }
                    filled = 0
                    try skipRestOfLine()
                    continue
                }
                let bigger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: buffer.count * 2)
                memcpy(bigger.baseAddress!, buffer.baseAddress!, filled)
                buffer.deallocate()
                buffer = bigger
            }
            let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw CaptureError.system("reading", object: name, errno: errno)
            }
            if n == 0 { atEnd = true } else { filled += n; bytesRead += n }
        }
    }

    /// After a cut line: reads and drops bytes up to and including the next newline.
    private func skipRestOfLine() throws(CaptureError) {
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 { if errno == EINTR { continue }; throw CaptureError.system("reading", object: name, errno: errno) }
            if n == 0 || byte == 0x0A { return }
        }
    }
}
