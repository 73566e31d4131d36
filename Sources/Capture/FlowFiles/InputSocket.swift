#if canImport(Glibc)
import Glibc
#endif

/// The listening Unix stream socket of `--input-socket PATH` (Slips' `--input-module` input: Zeek JSON conn lines
/// from other programs) and its connected writers, served with `poll` on the reading thread. Each writer's bytes
/// are cut into lines in a buffer of its own, bounded by `maximumLine`. Confined to the reading thread.
final class InputSocket {
    /// The longest line kept; a longer one is dropped up to its newline and reported.
    static let maximumLine = 1 << 20
    /// Writers served at once; further connections wait in the kernel's backlog.
    static let maximumWriters = 256

    /// One connected writer.
    final class Writer {
        let fd: Int32
        /// Its number, in connection order (named in reports: `PATH#3:17`).
        let number: Int
        var pending: [UInt8] = []
        var lines = 0
        var dropping = false
        init(fd: Int32, number: Int) { self.fd = fd; self.number = number }
    }

    let path: String
    private let listener: Int32
    private(set) var writers: [Writer] = []
    private var connections = 0
    /// Writers that connected so far.
    var connectionCount: Int { connections }

    /// Binds and listens at `path` (a stale socket left there by an earlier run is replaced; any other file is not).
    /// - Throws: `CaptureError` naming the path and the errno.
    init(path: String) throws(CaptureError) {
        self.path = path
        var address = sockaddr_un()
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw CaptureError(operation: "listening", object: path, reason: "a Unix socket path must be 1 to 107 bytes")
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                throw CaptureError(operation: "listening", object: path, reason: "a file that is not a socket is there")
            }
            unlink(path)
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw CaptureError.system("creating a socket for", object: path, errno: errno) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let error = errno
            close(fd)
            throw CaptureError.system("listening on", object: path, errno: error)
        }
        listener = fd
    }

    deinit {
        for writer in writers { close(writer.fd) }
        close(listener)
        unlink(path)
    }

    /// Waits up to `timeoutMilliseconds` for connections and data; accepts new writers, and calls `line` for every
    /// complete line read (borrowed for the call), `overlong` for each line dropped for its length and `closed`
    /// when a writer hangs up (with its unterminated last bytes, if any).
    /// - Returns: false when nothing was ready before the timeout.
    @discardableResult
    func serve(timeoutMilliseconds: Int32, line: (Writer, FieldBytes) -> Void, overlong: (Writer) -> Void,
               closed: (Writer, FieldBytes?) -> Void) -> Bool {
        var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
        for writer in writers { descriptors.append(pollfd(fd: writer.fd, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
        guard ready > 0 else { return false }                           // timeout, or EINTR (a signal: stop?)
        var gone: [Int] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        for (index, descriptor) in descriptors.enumerated().dropFirst() where descriptor.revents != 0 {
            let writer = writers[index - 1]
            let n = chunk.withUnsafeMutableBytes { read(writer.fd, $0.baseAddress!, $0.count) }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            if n <= 0 {
                if writer.pending.isEmpty || writer.dropping { closed(writer, nil) }
                else { writer.pending.withUnsafeBufferPointer { closed(writer, $0) } }
                gone.append(index - 1)
                continue
            }
            chunk.withUnsafeBufferPointer { split(FieldBytes(rebasing: $0[0..<n]), writer, line, overlong) }
        }
        for index in gone.reversed() {
            close(writers[index].fd)
            writers.remove(at: index)
        }
        if descriptors[0].revents != 0 { acceptWriters() }
        return true
    }

    private func split(_ bytes: FieldBytes, _ writer: Writer, _ line: (Writer, FieldBytes) -> Void,
                       _ overlong: (Writer) -> Void) {
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                if !writer.dropping {
                    writer.pending.append(contentsOf: bytes[start...])
                    if writer.pending.count > Self.maximumLine {
                        writer.lines += 1
                        overlong(writer)
                        writer.pending.removeAll()
                        writer.dropping = true
                    }
                }
                return
            }
            if writer.dropping {
                writer.dropping = false
            } else if writer.pending.isEmpty {
                writer.lines += 1
                line(writer, ByteText.slice(bytes, start..<newline))
            } else {
                writer.pending.append(contentsOf: bytes[start..<newline])
                writer.lines += 1
                if writer.pending.count > Self.maximumLine { overlong(writer) }
                else { writer.pending.withUnsafeBufferPointer { line(writer, $0) } }
                writer.pending.removeAll(keepingCapacity: true)
            }
            start = newline + 1
        }
    }

    private func acceptWriters() {
        while writers.count < Self.maximumWriters {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            connections += 1
            writers.append(Writer(fd: fd, number: connections))
        }
    }
}
