import NetCore
import Records
import Capture
import CPrivileges
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's control socket: a Unix stream socket readable only by root (mode 0600, or 0660 with a
/// configured group), created while still root and served on its own thread after the privilege drop.
/// Each connection sends one request line and gets one response line. Peers are checked with SO_PEERCRED.
final class ControlServer: Sendable {
    let path: String
    private let fd: Int32
    private let allowedGroup: gid_t?
    private let stopRequested = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)

    /// Binds and listens (root, before the drop). Removes a stale socket file first.
    init(path: String, group: String?) throws(SlipsdError) {
        self.path = path
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty { mkdir(directory, 0o755) }
        unlink(path)
        var gid: gid_t?
        if let group {
            guard let entry = getgrnam(group) else {
                throw SlipsdError("opening control socket", object: path, reason: "group '\(group)' does not exist")
            }
            gid = entry.pointee.gr_gid
        }
        allowedGroup = gid
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SlipsdError.current("opening control socket", object: path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw SlipsdError("opening control socket", object: path, reason: "path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previousMask)
        guard bound == 0, listen(fd, 16) == 0 else {
            let failure = SlipsdError.current("binding control socket", object: path)
            close(fd)
            throw failure
        }
        if let gid {
            chown(path, 0, gid)
            chmod(path, 0o660)
        }
    }

    deinit { close(fd) }

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

    func stop() {
        stopRequested.store(true, ordering: .relaxed)
        thread.withLock { $0 }?.join()
    }

    private func serve(_ handle: (ControlProtocol.Request) -> ControlResponse) {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !stopRequested.load(ordering: .relaxed) {
            guard poll(&descriptor, 1, 200) > 0 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            defer { close(client) }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard authorized(client) else {
                respond(client, .failure("permission denied: root or the control group only"))
                continue
            }
            guard let line = readLine(client) else {
                respond(client, .failure("request longer than \(ControlProtocol.maxRequestBytes) bytes or unreadable"))
                continue
            }
            switch ControlProtocol.parse(line) {
            case .success(let request): respond(client, handle(request))
            case .failure(let failure): respond(client, .failure(failure.message))
            }
        }
    }

    private func authorized(_ client: Int32) -> Bool {
        var uid: UInt32 = 0, gid: UInt32 = 0
        guard cpriv_peer_credentials(client, &uid, &gid) == 0 else { return false }
        return uid == 0 || allowedGroup.map { gid == $0 } == true
    }

    private func readLine(_ client: Int32) -> [UInt8]? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count <= ControlProtocol.maxRequestBytes {
            let n = read(client, &byte, 1)
            if n <= 0 { return line.isEmpty ? nil : line }
            if byte == 0x0A { return line }
            line.append(byte)
        }
        return nil
    }

    private func respond(_ client: Int32, _ response: ControlResponse) {
        let bytes = ControlProtocol.encode(response)
        _ = bytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
    }
}

/// Sends one request to a running daemon.
enum ControlClient {
    /// Returns the decoded response, or nil when no daemon listens at `path`.
    static func send(_ request: ControlProtocol.Request, to path: String) -> ControlResponse? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes); raw[bytes.count] = 0 }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return nil }
        let line = ControlProtocol.encode(ControlProtocol.RequestLine(request))
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            reply.append(contentsOf: buffer[0..<n])
        }
        return ControlProtocol.decodeResponse(reply)
    }
}
