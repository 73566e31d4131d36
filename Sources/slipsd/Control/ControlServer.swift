import NetCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's control socket: a Unix stream socket readable only by root (mode 0600, or 0660 with a
/// configured group), created while still root and served on its own thread after the privilege drop.
///
/// One daemon per socket: its `ControlSocketLock` is taken (first thing in the daemon's run) before a stale
/// socket file is removed here, so a second daemon refuses to start and leaves the first one's socket alone.
/// The socket file is removed by `stop()` and, should the daemon leave on an error, by `deinit`.
///
/// Each connection sends one request line and gets one response line. Peers are checked when they connect
/// (`ControlPeer`: uid 0, or the control group as primary or supplementary group). The thread serves up to
/// `maxConnections` at once with `poll`: a connection is read only when it has bytes, its whole request must
/// arrive within `requestSeconds` of the connect, and at most `ControlProtocol.maxRequestBytes` are kept, so an
/// idle, slow or oversized client costs one slot for two seconds and never delays the others. When every slot
/// is taken, the oldest connection is answered "busy" and closed to make room.
final class ControlServer: Sendable {
    let path: String
    /// Connections served at once.
    static let maxConnections = 32
    /// Time a client has to send its whole request line, from its connect.
    static let requestSeconds = 2.0

    private let fd: Int32
    private let lock: ControlSocketLock
    private let allowedGroup: gid_t?
    private let stopRequested = Atomic<Bool>(false)
    private let socketRemoved = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)

    /// Removes a stale socket file, binds and listens (root, before the drop). `lock` must be held: it is what
    /// makes removing a socket file found at `path` safe.
    /// - Parameters:
    ///   - group: the control group (`daemon.control_group`), whose members may use the socket.
    ///   - lock: this socket's lock, taken by the caller before any other set-up; kept for the server's life.
    /// - Throws: `SlipsdError` when the group does not exist or binding fails.
    init(path: String, group: String?, lock: ControlSocketLock) throws(SlipsdError) {
        guard let address = UnixSocketAddress(path: path) else {
            throw SlipsdError("opening control socket", object: path, reason: "path empty or longer than 107 bytes")
        }
        guard lock.path == path + ".lock" else {
            throw SlipsdError("opening control socket", object: path, reason: "the lock held is \(lock.path), not this socket's")
        }
        var gid: gid_t?
        if let group {
            guard let entry = getgrnam(group) else {
                throw SlipsdError("opening control socket", object: path, reason: "group '\(group)' does not exist")
            }
            gid = entry.pointee.gr_gid
        }
        unlink(path)
        let listening = try Self.listen(at: address, path: path)
        // Nothing throws from here on: a failed init never reaches `deinit`, which removes the socket.
        self.path = path
        self.lock = lock
        allowedGroup = gid
        fd = listening
        if let gid {
            chown(path, 0, gid)
            chmod(path, 0o660)
        }
    }

    /// A listening, non-blocking socket bound at `address` (mode 0600 through the umask).
    private static func listen(at address: UnixSocketAddress, path: String) throws(SlipsdError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SlipsdError.current("opening control socket", object: path) }
        let previousMask = umask(0o177)
        let bound = address.withSocketAddress { bind(fd, $0, $1) }
        umask(previousMask)
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let failure = SlipsdError.current("binding control socket", object: path)
            if bound == 0 { unlink(path) }
            close(fd)
            throw failure
        }
        return fd
    }

    deinit {
        removeSocket()
        close(fd)
    }

    /// Serves requests on a new thread until `stop()`. `handle` runs on that thread.
    func start(handle: @escaping @Sendable (ControlProtocol.Request) -> ControlResponse) throws(SlipsdError) {
        let spawned: OSThread
        do {
            spawned = try OSThread.spawn(name: "slipsd-control") { [self] in self.serve(handle) }
        } catch {
            throw SlipsdError(error)
        }
        thread.withLock { $0 = spawned }
    }

    /// Stops the thread (open connections are closed unanswered) and removes the socket file.
    /// - Returns: why the socket file could not be removed, or nil.
    @discardableResult
    func stop() -> String? {
        stopRequested.store(true, ordering: .relaxed)
        thread.withLock { $0 }?.join()
        return removeSocket()
    }

    /// Removes the socket file, once. Returns why it could not (e.g. its directory is not writable by the
    /// user the daemon now runs as: the next start replaces it under the lock).
    @discardableResult
    func removeSocket() -> String? {
        guard !socketRemoved.exchange(true, ordering: .relaxed) else { return nil }
        guard unlink(path) != 0, errno != ENOENT else { return nil }
        return "removing control socket \(path): \(String(cString: strerror(errno)))"
    }

    private func serve(_ handle: (ControlProtocol.Request) -> ControlResponse) {
        var connections: [ControlConnection] = []
        defer { for connection in connections { close(connection.fd) } }
        while !stopRequested.load(ordering: .relaxed) {
            var descriptors = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
                + connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let now = MonotonicClock.now()
            let nearest = connections.map(\.deadline).min().map { max(0, $0 - now) } ?? 0.2
            let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(min(0.2, nearest) * 1000) + 1)
            guard ready >= 0 else { continue }
            // Connections first (indexes match `descriptors[1...]`), newest last so removal keeps indexes.
            let after = MonotonicClock.now()
            for index in connections.indices.reversed() {
                let events = descriptors[index + 1].revents
                var progress = ControlConnection.Progress.waiting
                if events != 0 { progress = connections[index].receive() }
                if progress == .waiting, after >= connections[index].deadline {
                    finish(connections.remove(at: index).fd,
                           .failure("request line not complete within \(Int(Self.requestSeconds)) s"))
                    continue
                }
                switch progress {
                case .waiting: break
                case .line(let line):
                    let response: ControlResponse
                    switch ControlProtocol.parse(line) {
                    case .success(let request): response = handle(request)
                    case .failure(let failure): response = .failure(failure.message)
                    }
                    finish(connections.remove(at: index).fd, response)
                case .tooLong:
                    finish(connections.remove(at: index).fd,
                           .failure("request longer than \(ControlProtocol.maxRequestBytes) bytes"))
                case .closed:
                    close(connections.remove(at: index).fd)
                }
            }
            if descriptors[0].revents & Int16(POLLIN) != 0 { acceptWaiting(into: &connections) }
        }
    }

    /// Accepts what the backlog holds; refuses unauthorized peers at once; evicts the oldest connection when
    /// every slot is taken.
    private func acceptWaiting(into connections: inout [ControlConnection]) {
        for _ in 0..<Self.maxConnections {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            var timeout = timeval(tv_sec: 1, tv_usec: 0)     // a reply fits the socket buffer; never wait longer
            setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard ControlPeer.of(client)?.isAllowed(group: allowedGroup) == true else {
                finish(client, .failure("permission denied: root or the control group only"))
                continue
            }
            if connections.count >= Self.maxConnections {
                finish(connections.removeFirst().fd, .failure("busy: \(Self.maxConnections) connections open; try again"))
            }
            connections.append(ControlConnection(fd: client, deadline: MonotonicClock.now() + Self.requestSeconds))
        }
    }

    /// Sends `response` and closes the connection.
    private func finish(_ client: Int32, _ response: ControlResponse) {
        let bytes = ControlProtocol.encode(response)
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        close(client)
    }
}
