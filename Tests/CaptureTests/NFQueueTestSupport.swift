import NetCore
import Records
import Capture
import Foundation
import Glibc
import Synchronization

// Helpers for the NFQUEUE tests: network namespaces built with `ip`, a thread that enters a namespace, UDP/TCP
// sockets created inside namespaces, and small packet handlers that read the IPv4 header themselves.

/// Errors of the test helpers.
struct NFQTestError: Error, CustomStringConvertible {
    var description: String
}

/// Runs a command and returns its standard output; throws with its stderr when it fails.
@discardableResult
func nfqRun(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NFQTestError(description: "\(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): "
                           + (String(data: errors, encoding: .utf8) ?? ""))
    }
    return String(data: output, encoding: .utf8) ?? ""
}

/// A joinable pthread for tests (Foundation's Thread cannot be joined).
final class NFQTestThread: @unchecked Sendable {
    private var handle = pthread_t()
    private final class Body { let run: () -> Void; init(_ run: @escaping () -> Void) { self.run = run } }

    init(_ body: @escaping () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        let rc = pthread_create(&handle, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
    }

    func join() { pthread_join(handle, nil) }
}

/// Runs `body` on a fresh thread that first enters the network namespace `/var/run/netns/<name>` (`setns`), and
/// returns its result. Sockets created there stay in that namespace and can be used from any thread afterwards.
func nfqInNamespace<T>(_ name: String, _ body: @escaping () throws -> T) throws -> T {
    nonisolated(unsafe) var result: Result<T, any Error> = .failure(NFQTestError(description: "not run"))
    let thread = NFQTestThread {
        let fd = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            result = .failure(NFQTestError(description: "open /var/run/netns/\(name): errno \(errno)"))
            return
        }
        defer { close(fd) }
        // Glibc's Swift module does not expose setns (a _GNU_SOURCE function): look it up at run time.
        typealias SetNS = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else {
            result = .failure(NFQTestError(description: "setns not found"))
            return
        }
        let setns = unsafeBitCast(symbol, to: SetNS.self)
        guard setns(fd, 0x4000_0000 /* CLONE_NEWNET */) == 0 else {
            result = .failure(NFQTestError(description: "setns(\(name)): errno \(errno)"))
            return
        }
        result = Result { try body() }
    }
    thread.join()
    return try result.get()
}

/// client ns —veth— router ns (ip_forward=1, FORWARD → NFQUEUE --queue-bypass) —veth— server ns.
/// client 10.213.1.2/24 via 10.213.1.1; server 10.213.2.2/24 via 10.213.2.1. Removed by `remove()` and on init
/// failure; stale namespaces of the same name are removed first.
final class NFQTopology {
    let client: String
    let router: String
    let server: String
    let queue: UInt16
    static let clientAddress = "10.213.1.2"
    static let serverAddress = "10.213.2.2"

    init(queue: UInt16, steer: Bool = true) throws {
        let tag = getpid() % 100_000
        client = "sdnqc\(tag)"
        router = "sdnqr\(tag)"
        server = "sdnqs\(tag)"
        self.queue = queue
        remove()
        do {
            for ns in [client, router, server] { try nfqRun(["ip", "netns", "add", ns]) }
            try nfqRun(["ip", "-n", router, "link", "add", "r1", "type", "veth", "peer", "name", "c0", "netns", client])
            try nfqRun(["ip", "-n", router, "link", "add", "r2", "type", "veth", "peer", "name", "s0", "netns", server])
            try nfqRun(["ip", "-n", client, "addr", "add", "10.213.1.2/24", "dev", "c0"])
            try nfqRun(["ip", "-n", router, "addr", "add", "10.213.1.1/24", "dev", "r1"])
            try nfqRun(["ip", "-n", router, "addr", "add", "10.213.2.1/24", "dev", "r2"])
            try nfqRun(["ip", "-n", server, "addr", "add", "10.213.2.2/24", "dev", "s0"])
            for (ns, dev) in [(client, "c0"), (router, "r1"), (router, "r2"), (server, "s0")] {
                try nfqRun(["ip", "-n", ns, "link", "set", dev, "up"])
            }
            for ns in [client, router, server] { try nfqRun(["ip", "-n", ns, "link", "set", "lo", "up"]) }
            try nfqRun(["ip", "-n", client, "route", "add", "default", "via", "10.213.1.1"])
            try nfqRun(["ip", "-n", server, "route", "add", "default", "via", "10.213.2.1"])
            try nfqRun(["ip", "netns", "exec", router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
            if steer { try steerToQueue() }
        } catch {
            remove()
            throw error
        }
    }

    /// Adds the FORWARD rule sending forwarded packets to the queue, with `--queue-bypass`.
    func steerToQueue() throws {
        try nfqRun(["ip", "netns", "exec", router, "iptables-nft", "-A", "FORWARD", "-j", "NFQUEUE",
                    "--queue-num", String(queue), "--queue-bypass"])
    }

    /// The router's `/proc/net/netfilter/nfnetlink_queue` (one line per bound queue).
    func kernelQueueTable() throws -> String {
        try nfqRun(["ip", "netns", "exec", router, "cat", "/proc/net/netfilter/nfnetlink_queue"])
    }

    /// Deletes the namespaces (and with them the veth pairs and rules). Safe to call twice.
    func remove() {
        for ns in [client, router, server] { _ = try? nfqRun(["ip", "netns", "del", ns]) }
    }

    deinit { remove() }

    /// Opens an `NFQueueSource` inside the router namespace.
    func openSource(_ configure: (inout NFQueueConfiguration) -> Void = { _ in },
                    onEvent: (@Sendable (NFQueueEvent) -> Void)? = nil) throws -> NFQueueSource {
        var configuration = NFQueueConfiguration(queue: queue)
        configure(&configuration)
        let settings = configuration
        return try nfqInNamespace(router) { try NFQueueSource(configuration: settings, onEvent: onEvent) }
    }
}

/// Monotonic seconds, for measuring delays in tests.
func nfqSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Builds a `sockaddr_in` for an IPv4 address string and port.
func nfqAddress(_ ip: String, _ port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    _ = inet_pton(AF_INET, ip, &address.sin_addr)
    return address
}

/// Calls `body` with a `sockaddr` for an IPv4 or IPv6 (if it contains ':') address string and port.
func nfqWithSocketAddress<R>(_ ip: String, _ port: UInt16,
                             _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    if ip.contains(":") {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        _ = inet_pton(AF_INET6, ip, &address.sin6_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }
    var address = nfqAddress(ip, port)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}

/// A UDP socket created inside a namespace. Datagrams carry a sequence number and the send time.
final class NFQUDPSocket: @unchecked Sendable {
    let fd: Int32

    /// Creates the socket in namespace `ns`, bound to `bind` if given; IPv6 when `ipv6` is set.
    init(in ns: String, bind: (String, UInt16)? = nil, ipv6: Bool = false) throws {
        fd = try nfqInNamespace(ns) { () throws -> Int32 in
            let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw NFQTestError(description: "socket: errno \(errno)") }
            var size: Int32 = 4 << 20
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, 4)
            if let (ip, port) = bind {
                let rc = nfqWithSocketAddress(ip, port) { Glibc.bind(fd, $0, $1) }
                guard rc == 0 else { close(fd); throw NFQTestError(description: "bind \(ip):\(port): errno \(errno)") }
            }
            return fd
        }
    }

    deinit { close(fd) }

    /// Sends one datagram of `size` bytes (≥ 16) carrying `sequence` and the monotonic send time.
    func send(to ip: String, port: UInt16, sequence: UInt64, size: Int = 64) {
        var payload = [UInt8](repeating: 0xab, count: max(16, size))
        payload.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: sequence, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: nfqSeconds(), toByteOffset: 8, as: Double.self)
        }
        _ = payload.withUnsafeBytes { raw in
            nfqWithSocketAddress(ip, port) { sendto(fd, raw.baseAddress, raw.count, 0, $0, $1) }
        }
    }

    /// A received datagram: its sequence number and its one-way delay in seconds.
    struct Arrival { var sequence: UInt64; var delay: Double }

    /// Receives until `count` datagrams arrived or `timeout` seconds passed.
    func receive(count: Int, timeout: Double) -> [Arrival] {
        var arrivals: [Arrival] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = nfqSeconds() + timeout
        while arrivals.count < count {
            let left = deadline - nfqSeconds()
            if left <= 0 { break }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(left * 1000) + 1) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard n >= 16 else { continue }
            let now = nfqSeconds()
            buffer.withUnsafeBytes { raw in
                arrivals.append(Arrival(sequence: raw.load(fromByteOffset: 0, as: UInt64.self),
                                        delay: now - raw.load(fromByteOffset: 8, as: Double.self)))
            }
        }
        return arrivals
    }
}

/// What the test handlers observed, readable from the test thread.
final class NFQHandlerProbe: Sendable {
    let packets = Atomic<Int>(0)
    let largest = Atomic<Int>(0)
    let aboveMTU = Atomic<Int>(0)
    let idles = Atomic<Int>(0)
    let ipv6Packets = Atomic<Int>(0)
    let blockedOnce = Atomic<Bool>(false)
    /// `time` of the last packet, microseconds since the epoch.
    let lastTime = Atomic<Int64>(0)
}

/// A handler that reads the IPv4 header itself: drops UDP to `dropPort`, blocks `blockDuration` on the first UDP
/// packet to `blockPort`, sleeps `perPacketDelay` per packet, accepts the rest.
final class NFQUDPPortHandler: PacketHandler {
    let probe: NFQHandlerProbe
    var dropPort: UInt16? = nil
    var blockPort: UInt16? = nil
    var blockDuration: Duration = .seconds(2)
    var perPacketDelay: Duration? = nil

    init(probe: NFQHandlerProbe) { self.probe = probe }

    func handlePacket(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                      linkType: LinkType) -> PacketVerdict {
        probe.packets.add(1, ordering: .relaxed)
        probe.lastTime.store(time.microseconds, ordering: .relaxed)
        if bytes.count > probe.largest.load(ordering: .relaxed) { probe.largest.store(bytes.count, ordering: .relaxed) }
        if bytes.count > 1500 { probe.aboveMTU.add(1, ordering: .relaxed) }
        if let perPacketDelay { nfqSleep(perPacketDelay) }
        if bytes.count >= 40, bytes[0] >> 4 == 6 { probe.ipv6Packets.add(1, ordering: .relaxed) }
        guard bytes.count >= 20, bytes[0] >> 4 == 4, bytes[9] == 17 else { return .accept }
        let headerLength = Int(bytes[0] & 0x0f) * 4
        guard bytes.count >= headerLength + 4 else { return .accept }
        let port = UInt16(bytes[headerLength + 2]) << 8 | UInt16(bytes[headerLength + 3])
        if port == blockPort, !probe.blockedOnce.exchange(true, ordering: .relaxed) {
            nfqSleep(blockDuration)
        }
        return port == dropPort ? .drop : .accept
    }

    func idle(now: PacketTime) { probe.idles.add(1, ordering: .relaxed) }
}

/// Sleeps the calling thread (`nanosleep`).
func nfqSleep(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// Collects source events for assertions and prints them.
final class NFQEventLog: Sendable {
    private let events = Mutex<[String]>([])
    var all: [String] { events.withLock { $0 } }
    var callback: @Sendable (NFQueueEvent) -> Void {
        { [self] event in
            print("event: \(event)")
            events.withLock { $0.append(event.description) }
        }
    }
}

/// Runs `body` on a fresh thread whose effective capability set lacks CAP_NET_ADMIN (capget/capset on the calling
/// thread only, looked up at run time since Glibc's Swift module lacks them). Threads it creates inherit that.
func nfqWithoutNetAdmin(_ body: @escaping () throws -> Void) throws {
    nonisolated(unsafe) var result: Result<Void, any Error> = .success(())
    let thread = NFQTestThread {
        typealias CapCall = @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int32
        let handle = dlopen(nil, RTLD_NOW)
        guard let get = dlsym(handle, "capget"), let set = dlsym(handle, "capset") else {
            result = .failure(NFQTestError(description: "capget/capset not found"))
            return
        }
        // struct __user_cap_header_struct { u32 version; int pid; } and two __user_cap_data_struct
        // { u32 effective, permitted, inheritable; } for _LINUX_CAPABILITY_VERSION_3.
        var header: [UInt32] = [0x2008_0522, 0]
        var data = [UInt32](repeating: 0, count: 6)
        let rc = header.withUnsafeMutableBytes { h in
            data.withUnsafeMutableBytes { d -> Int32 in
                let capget = unsafeBitCast(get, to: CapCall.self), capset = unsafeBitCast(set, to: CapCall.self)
                guard capget(h.baseAddress!, d.baseAddress!) == 0 else { return -1 }
                d.storeBytes(of: d.load(as: UInt32.self) & ~(1 << 12), as: UInt32.self)  // CAP_NET_ADMIN = 12
                return capset(h.baseAddress!, d.baseAddress!)
            }
        }
        guard rc == 0 else {
            result = .failure(NFQTestError(description: "capset: errno \(errno)"))
            return
        }
        result = Result { try body() }
    }
    thread.join()
    try result.get()
}
