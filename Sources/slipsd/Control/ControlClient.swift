import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// Sends one request to a running daemon and waits for its answer within one deadline for the whole exchange
/// (connect, send, receive): a daemon that is stopped (SIGSTOP) or hung costs the operator `timeout` seconds,
/// never a hang.
enum ControlClient {
    /// The default deadline for the whole exchange, in seconds.
    static let defaultTimeout = 2.0
    /// Longest reply read.
    static let maxReplyBytes = 1 << 20

    /// Why no answer came.
    enum Failure: Error, Equatable, CustomStringConvertible {
        /// Nothing listens at the path (ENOENT, ECONNREFUSED): no daemon runs.
        case notRunning(String)
        /// The socket exists but this user may not connect (EACCES, EPERM).
        case denied(String)
        /// The daemon accepted but did not answer in time.
        case timedOut(Double)
        /// Anything else: a failed call or a reply that is not a response.
        case failed(String)

        var description: String {
            switch self {
            case .notRunning(let why): "no daemon listens (\(why))"
            case .denied(let why): "not allowed to connect (\(why)): root or daemon.control_group only"
            case .timedOut(let seconds): "no answer within \(seconds) s (daemon stopped or hung?)"
            case .failed(let why): why
            }
        }
    }

    /// The daemon's response to `request` at socket `path`.
    static func send(_ request: ControlProtocol.Request, to path: String,
                     timeout: Double = defaultTimeout) -> Result<ControlResponse, Failure> {
        let deadline = MonotonicClock.now() + timeout
        guard let address = UnixSocketAddress(path: path) else { return .failure(.failed("socket path too long: \(path)")) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.failed("socket: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        // connect and send on a Unix socket wait at most SO_SNDTIMEO (the backlog or the buffer being full).
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard address.withSocketAddress({ connect(fd, $0, $1) }) == 0 else {
            let code = errno
            let why = String(cString: strerror(code))
            switch code {
            case ENOENT, ECONNREFUSED, ENOTDIR: return .failure(.notRunning(why))
            case EACCES, EPERM: return .failure(.denied(why))
            case EAGAIN, EINPROGRESS, ETIMEDOUT: return .failure(.timedOut(timeout))
            default: return .failure(.failed("connecting to \(path): \(why)"))
            }
        }
        let line = ControlProtocol.encode(ControlProtocol.RequestLine(request))
        let sent = line.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // A daemon that refuses a peer answers at once and closes: the send may fail (EPIPE), the answer is
        // still there to read.
        let sendFailure = sent == line.count ? nil : errno
        if sendFailure == EAGAIN { return .failure(.timedOut(timeout)) }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while reply.last != 0x0A && reply.count < maxReplyBytes {
            let left = deadline - MonotonicClock.now()
            guard left > 0 else { return .failure(.timedOut(timeout)) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(left * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { break }
            reply.append(contentsOf: buffer[0..<n])
        }
        if reply.last == 0x0A { reply.removeLast() }
        guard let response = ControlProtocol.decodeResponse(reply) else {
            if reply.isEmpty, let sendFailure {
                return .failure(.failed("sending to \(path): \(String(cString: strerror(sendFailure)))"))
            }
            return .failure(.failed(reply.isEmpty ? "the daemon closed the connection without an answer"
                                    : "the daemon's answer is not a response: \(String(decoding: reply.prefix(200), as: UTF8.self))"))
        }
        return .success(response)
    }
}
