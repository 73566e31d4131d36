#if canImport(Glibc)
import Glibc
#endif

/// One client connection waiting for its request line: the bytes received so far — never more than
/// `ControlProtocol.maxRequestBytes` plus the newline — and the deadline by which the whole line must have
/// arrived. The server reads it only when `poll` says it is readable, so a read never waits.
struct ControlConnection {
    /// The connected socket (the server closes it).
    let fd: Int32
    /// `MonotonicClock.now()` by which the whole request line must be in, in seconds.
    let deadline: Double
    private var line: [UInt8] = []

    /// What a read brought.
    enum Progress: Equatable {
        /// No newline yet: wait for more.
        case waiting
        /// The request line, without its newline.
        case line([UInt8])
        /// More than the cap arrived without a newline.
        case tooLong
        /// The peer closed (or the read failed) before sending anything.
        case closed
    }

    init(fd: Int32, deadline: Double) {
        self.fd = fd
        self.deadline = deadline
    }

    /// Reads what the socket holds, up to the cap.
    mutating func receive() -> Progress {
        let room = ControlProtocol.maxRequestBytes + 1 - line.count
        var buffer = [UInt8](repeating: 0, count: room)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return .waiting }
        // A peer that shuts its side down after the line, without a newline, still gets its answer.
        guard n > 0 else { return line.isEmpty ? .closed : .line(line) }
        return append(buffer[0..<n])
    }

    /// Adds received bytes: the line ends at the first newline; what follows it is ignored.
    mutating func append(_ bytes: ArraySlice<UInt8>) -> Progress {
        if let newline = bytes.firstIndex(of: 0x0A) {
            line.append(contentsOf: bytes[..<newline])
            return line.count <= ControlProtocol.maxRequestBytes ? .line(line) : .tooLong
        }
        line.append(contentsOf: bytes)
        return line.count > ControlProtocol.maxRequestBytes ? .tooLong : .waiting
    }
}
