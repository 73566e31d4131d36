import NetCore
import Records
import Capture
import Foundation
import Glibc
import Testing

/// End-to-end tests of `NFQueueSource` on the real kernel: client ns → router ns (FORWARD → NFQUEUE) → server ns.
/// Traffic stays inside the namespaces these tests create and is bounded in count and time.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct NFQueueSourceTests {
    static let queue: UInt16 = 7

    @Test("accept-all: every datagram crosses the queue and is counted and verdicted")
    func acceptAll() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        let server = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9998))
        let client = try NFQUDPSocket(in: net.client)
        let probe = NFQHandlerProbe()
        let source = try net.openSource()
        try source.start(handler: NFQUDPPortHandler(probe: probe))
        defer { source.stop() }

        let count = 300
        for i in 0..<count { client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(i)) }
        let arrivals = server.receive(count: count, timeout: 5)
        let stats = source.statistics
        print("accept-all: \(arrivals.count)/\(count) arrived; \(stats)")
        #expect(arrivals.count == count)
        #expect(Set(arrivals.map(\.sequence)).count == count)
        #expect(stats.packets >= UInt64(count))
        #expect(stats.accepts >= UInt64(count))
        #expect(stats.drops == 0)
        #expect(stats.batches >= 1)
        #expect(stats.verdictMessages >= 1)
        #expect(stats.verdictMessages < stats.packets, "accepts should be batched")
        #expect(stats.bytes >= UInt64(count * (20 + 8 + 64)))
        #expect(probe.packets.load(ordering: .relaxed) >= count)
        let skew = abs(probe.lastTime.load(ordering: .relaxed) - Int64(Date().timeIntervalSince1970 * 1_000_000))
        #expect(skew < 10_000_000, "packet time is \(skew) µs away from now")
        #expect(source.statistics(queue: Self.queue)?.packets == stats.packets)
        #expect(source.statistics(queue: Self.queue &+ 1) == nil)
    }

    @Test("a handler verdict of drop stops UDP to port 9999; port 9998 passes")
    func dropByPort() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        let pass = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9998))
        let blocked = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9999))
        let client = try NFQUDPSocket(in: net.client)
        let probe = NFQHandlerProbe()
        let handler = NFQUDPPortHandler(probe: probe)
        handler.dropPort = 9999
        let source = try net.openSource()
        try source.start(handler: handler)
        defer { source.stop() }

        let count = 100
        for i in 0..<count {
            client.send(to: NFQTopology.serverAddress, port: 9999, sequence: UInt64(i))
            client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(i))
        }
        let passed = pass.receive(count: count, timeout: 5)
        let leaked = blocked.receive(count: 1, timeout: 0.5)
        let stats = source.statistics
        print("drop: 9998 \(passed.count)/\(count) arrived, 9999 \(leaked.count) arrived; \(stats)")
        #expect(passed.count == count)
        #expect(leaked.isEmpty)
        #expect(stats.drops == UInt64(count))
        #expect(stats.accepts >= UInt64(count))
        #expect(stats.staleVerdicts == 0)
        #expect(stats.errors == 0)
    }

    @Test("with no process bound, --queue-bypass lets traffic pass")
    func bypassWithoutProcess() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        let server = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9998))
        let client = try NFQUDPSocket(in: net.client)
        #expect(try net.kernelQueueTable().isEmpty)
        for i in 0..<20 { client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(i)) }
        #expect(server.receive(count: 20, timeout: 3).count == 20)
    }

    @Test("stop() with packets queued verdicts all of them and unbinds; traffic flows on through the bypass")
    func stopWithPendingPackets() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        let server = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9998))
        let client = try NFQUDPSocket(in: net.client)
        let probe = NFQHandlerProbe()
        let handler = NFQUDPPortHandler(probe: probe)
        handler.perPacketDelay = .milliseconds(3)  // a slow handler, so packets pile up in the queue
        let events = NFQEventLog()
        let source = try net.openSource(onEvent: events.callback)
        try source.start(handler: handler)
        #expect(source.isRunning)
        #expect(try net.kernelQueueTable().split(separator: "\n").count == 1)

        let burst = 400
        for i in 0..<burst { client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(i)) }
        // Wait until the handler works through the backlog, then stop with most packets still queued while a
        // second sender keeps sending across the stop (packets arriving during the teardown must not be lost).
        let deadline = nfqSeconds() + 5
        while probe.packets.load(ordering: .relaxed) < 20 && nfqSeconds() < deadline { nfqSleep(.milliseconds(1)) }
        let streamed = 600
        let sender = NFQTestThread {
            for i in 0..<streamed {
                client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(burst + i))
                nfqSleep(.microseconds(500))
            }
        }
        nfqSleep(.milliseconds(50))
        let started = nfqSeconds()
        source.stop()
        let stopTime = nfqSeconds() - started
        let handled = probe.packets.load(ordering: .relaxed)
        #expect(!source.isRunning)
        sender.join()

        let count = burst + streamed
        let arrivals = server.receive(count: count, timeout: 5)
        let table = try net.kernelQueueTable()
        print("stop: handled \(handled) of \(count) before stop, stop took \(Int(stopTime * 1000)) ms, "
              + "\(arrivals.count)/\(count) arrived; kernel queue table after stop: \"\(table)\"; "
              + "\(source.statistics)")
        #expect(handled < burst, "the test needs packets still queued at stop")
        #expect(arrivals.count == count)
        #expect(Set(arrivals.map(\.sequence)).count == count)
        #expect(table.isEmpty, "the queue must be unbound after stop")
        #expect(stopTime < 2)
        #expect(events.all.contains { $0.contains("stopped") })
        #expect(!events.all.contains { $0.contains("rror") })
        source.stop()  // idempotent
    }

    @Test("watchdog: a handler blocked 2 s does not hold other packets; they are released well before 2 s")
    func watchdogReleasesStalledQueue() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        let server = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9998))
        let poisonSink = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9997))
        let client = try NFQUDPSocket(in: net.client)
        let probe = NFQHandlerProbe()
        let handler = NFQUDPPortHandler(probe: probe)
        handler.blockPort = 9997
        handler.blockDuration = .seconds(2)
        let events = NFQEventLog()
        let source = try net.openSource({ $0.watchdogStallBound = .milliseconds(250) }, onEvent: events.callback)
        try source.start(handler: handler)
        defer { source.stop() }

        client.send(to: NFQTopology.serverAddress, port: 9997, sequence: 0)
        let count = 40
        let sender = NFQTestThread {
            for i in 0..<count {
                client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(i))
                nfqSleep(.milliseconds(20))
            }
        }
        nonisolated(unsafe) var poison: [NFQUDPSocket.Arrival] = []
        let poisonReader = NFQTestThread { poison = poisonSink.receive(count: 1, timeout: 3) }
        let arrivals = server.receive(count: count, timeout: 4)
        sender.join()
        poisonReader.join()
        let stats = source.statistics
        let delays = arrivals.map(\.delay).sorted()
        let worst = delays.last ?? .infinity
        print("watchdog: \(arrivals.count)/\(count) arrived while the handler was blocked; delay median "
              + "\(Int((delays.isEmpty ? 0 : delays[delays.count / 2]) * 1000)) ms, worst \(Int(worst * 1000)) ms; "
              + "blocked packet itself arrived after \(poison.first.map { "\(Int($0.delay * 1000)) ms" } ?? "never")"
              + "; \(stats)")
        #expect(arrivals.count == count)
        #expect(worst < 1.2, "packets waited \(worst) s behind a stalled handler")
        #expect(poison.count == 1)
        #expect((poison.first?.delay ?? 9) < 1.5)
        #expect(stats.watchdogReleases > 0)
        #expect(stats.watchdogStalls >= 1)
        #expect(events.all.contains { $0.contains("stalled") })
    }

    @Test("fail-closed: the watchdog drops packets queued behind a stalled handler")
    func failClosedWatchdogDrops() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        let server = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9998))
        let client = try NFQUDPSocket(in: net.client)
        let probe = NFQHandlerProbe()
        let handler = NFQUDPPortHandler(probe: probe)
        handler.blockPort = 9997
        handler.blockDuration = .milliseconds(1500)
        let source = try net.openSource({ $0.failOpen = false })
        try source.start(handler: handler)
        defer { source.stop() }

        client.send(to: NFQTopology.serverAddress, port: 9997, sequence: 0)
        for i in 0..<10 {
            client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(i))
            nfqSleep(.milliseconds(20))
        }
        let duringStall = server.receive(count: 10, timeout: 1)
        // After the handler returns, traffic is inspected and accepted again.
        let deadline = nfqSeconds() + 5
        while source.statistics.accepts == 0 && nfqSeconds() < deadline { nfqSleep(.milliseconds(5)) }
        for i in 100..<110 { client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(i)) }
        let afterStall = server.receive(count: 10, timeout: 3)
        let stats = source.statistics
        print("fail-closed: \(duringStall.count) of 10 arrived during the stall, \(afterStall.count) of 10 after; \(stats)")
        #expect(duringStall.isEmpty)
        #expect(afterStall.count == 10)
        #expect(afterStall.allSatisfy { $0.sequence >= 100 })
        #expect(stats.watchdogReleases > 0)
    }

    @Test("two queues (--queue-balance 7:8): one packet thread and one handler per queue")
    func twoQueues() throws {
        let net = try NFQTopology(queue: Self.queue, steer: false)
        defer { net.remove() }
        try nfqRun(["ip", "netns", "exec", net.router, "iptables-nft", "-A", "FORWARD", "-j", "NFQUEUE",
                    "--queue-balance", "\(Self.queue):\(Self.queue + 1)", "--queue-bypass"])
        let server = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9998))
        // --queue-balance hashes source and destination addresses (not ports): 16 client addresses, so all of
        // them landing on one queue has probability 2^-15.
        let clients = try (10..<26).map { host in
            try nfqRun(["ip", "-n", net.client, "addr", "add", "10.213.1.\(host)/24", "dev", "c0"])
            return try NFQUDPSocket(in: net.client, bind: ("10.213.1.\(host)", 0))
        }
        let probes = [NFQHandlerProbe(), NFQHandlerProbe()]
        let source = try nfqInNamespace(net.router) {
            try NFQueueSource(configuration: NFQueueConfiguration(
                queues: try NFQueueConfiguration.parseQueues("\(Self.queue):\(Self.queue + 1)")))
        }
        #expect(source.queueNumbers == [Self.queue, Self.queue + 1])
        try source.start(makeHandler: { queue in NFQUDPPortHandler(probe: probes[Int(queue - Self.queue)]) })
        defer { source.stop() }

        for (i, client) in clients.enumerated() {
            for j in 0..<10 { client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(i * 10 + j)) }
        }
        let arrivals = server.receive(count: 160, timeout: 5)
        let first = source.statistics(queue: Self.queue)?.packets ?? 0
        let second = source.statistics(queue: Self.queue + 1)?.packets ?? 0
        print("two queues: \(arrivals.count)/160 arrived; queue \(Self.queue) \(first) packets, "
              + "queue \(Self.queue + 1) \(second) packets")
        #expect(arrivals.count == 160)
        #expect(first > 0 && second > 0)
        #expect(first + second == 160)
        #expect(probes[0].packets.load(ordering: .relaxed) == Int(first))
        #expect(probes[1].packets.load(ordering: .relaxed) == Int(second))
        #expect(source.statistics.packets == 160)
    }

    @Test("packet threads started without CAP_NET_ADMIN report the verdict EPERM clearly")
    func packetThreadWithoutNetAdmin() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        let client = try NFQUDPSocket(in: net.client)
        let events = NFQEventLog()
        let source = try net.openSource(onEvent: events.callback)
        try nfqWithoutNetAdmin { try source.start(handler: NFQUDPPortHandler(probe: NFQHandlerProbe())) }
        for i in 0..<5 { client.send(to: NFQTopology.serverAddress, port: 9998, sequence: UInt64(i)) }
        let deadline = nfqSeconds() + 5
        while source.statistics.errors == 0 && nfqSeconds() < deadline { nfqSleep(.milliseconds(5)) }
        source.stop()
        let messages = events.all.filter { $0.contains("EPERM") }
        print("without CAP_NET_ADMIN: \(messages.first ?? "no EPERM event"); \(source.statistics)")
        #expect(source.statistics.errors > 0)
        #expect(messages.contains { $0.contains("lacks CAP_NET_ADMIN") })
    }

    @Test("IPv6 steered by ip6tables reaches the same AF_INET-bound queue")
    func ipv6ThroughTheQueue() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        for (ns, address, dev) in [(net.client, "fd00:213:1::2/64", "c0"), (net.router, "fd00:213:1::1/64", "r1"),
                                   (net.router, "fd00:213:2::1/64", "r2"), (net.server, "fd00:213:2::2/64", "s0")] {
            try nfqRun(["ip", "-n", ns, "-6", "addr", "add", address, "dev", dev, "nodad"])
        }
        try nfqRun(["ip", "-n", net.client, "-6", "route", "add", "default", "via", "fd00:213:1::1"])
        try nfqRun(["ip", "-n", net.server, "-6", "route", "add", "default", "via", "fd00:213:2::1"])
        try nfqRun(["ip", "netns", "exec", net.router, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1"])
        try nfqRun(["ip", "netns", "exec", net.router, "ip6tables-nft", "-A", "FORWARD", "-j", "NFQUEUE",
                    "--queue-num", String(Self.queue), "--queue-bypass"])
        let server = try NFQUDPSocket(in: net.server, bind: ("fd00:213:2::2", 9998), ipv6: true)
        let client = try NFQUDPSocket(in: net.client, ipv6: true)
        let probe = NFQHandlerProbe()
        let source = try net.openSource()
        try source.start(handler: NFQUDPPortHandler(probe: probe))
        defer { source.stop() }

        for i in 0..<50 { client.send(to: "fd00:213:2::2", port: 9998, sequence: UInt64(i)) }
        let arrivals = server.receive(count: 50, timeout: 8)
        print("ipv6: \(arrivals.count)/50 arrived, handler saw \(probe.ipv6Packets.load(ordering: .relaxed)) IPv6 "
              + "packets; \(source.statistics)")
        #expect(arrivals.count == 50)
        #expect(probe.ipv6Packets.load(ordering: .relaxed) >= 50)
    }

    @Test("binding a queue that another socket holds fails with a clear 'already in use' error")
    func secondBindFails() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        let first = try net.openSource()
        defer { first.stop() }
        #expect {
            _ = try net.openSource()
        } throws: { error in
            guard let error = error as? CaptureError else { return false }
            print("second bind: \(error)")
            return error.description.contains("queue \(Self.queue) is already in use") && error.errno == EPERM
        }
    }

    @Test("a TCP transfer of 8 MB crosses the queue intact; GSO packets may exceed the MTU")
    func tcpTransferWithGSO() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        let probe = NFQHandlerProbe()
        let source = try net.openSource()
        try source.start(handler: NFQUDPPortHandler(probe: probe))
        defer { source.stop() }

        let total = 8 << 20
        let (received, seconds) = try nfqTCPTransfer(net: net, bytes: total)
        let stats = source.statistics
        print("tcp: \(received)/\(total) bytes in \(String(format: "%.3f", seconds)) s "
              + "(\(String(format: "%.0f", Double(received) * 8 / seconds / 1e6)) Mbit/s); packets \(stats.packets), "
              + "GSO \(stats.gsoPackets), checksum-not-ready \(stats.checksumNotReady), largest \(stats.largestPacket) "
              + "bytes, handler saw \(probe.aboveMTU.load(ordering: .relaxed)) packets above 1500 bytes")
        #expect(received == total)
        #expect(stats.packets > 0)
        if stats.gsoPackets > 0 {
            #expect(stats.largestPacket > 1500)
            #expect(probe.aboveMTU.load(ordering: .relaxed) > 0)
        }
        #expect(stats.errors == 0)
    }
}

/// Sends `bytes` over TCP from the client namespace to the server namespace (port 5001) and returns how many bytes
/// the server read (a pattern check is included: wrong bytes end the count) and the elapsed seconds.
func nfqTCPTransfer(net: NFQTopology, bytes total: Int) throws -> (Int, Double) {
    let listener = try nfqInNamespace(net.server) { () throws -> Int32 in
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
        var address = nfqAddress(NFQTopology.serverAddress, 5001)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(fd, 1) == 0 else { throw NFQTestError(description: "listen: errno \(errno)") }
        return fd
    }
    defer { close(listener) }
    let connection = try nfqInNamespace(net.client) { () -> Int32 in
        socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }
    defer { close(connection) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

    nonisolated(unsafe) var received = 0
    nonisolated(unsafe) var acceptErrno: Int32?
    let reader = NFQTestThread {
        let peer = accept(listener, nil, nil)
        guard peer >= 0 else {
            acceptErrno = errno                      // reported after the join: a failure, not a silent pass
            return
        }
        defer { close(peer) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        reading: while true {
            let n = buffer.withUnsafeMutableBytes { recv(peer, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            for i in 0..<n where buffer[i] != UInt8(truncatingIfNeeded: (received + i) % 251) { break reading }
            received += n
        }
    }
    let start = nfqSeconds()
    var address = nfqAddress(NFQTopology.serverAddress, 5001)
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if rc == 0 {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var sent = 0
        while sent < total {
            let n = min(chunk.count, total - sent)
            for i in 0..<n { chunk[i] = UInt8(truncatingIfNeeded: (sent + i) % 251) }
            let w = chunk.withUnsafeBytes { send(connection, $0.baseAddress, n, Int32(MSG_NOSIGNAL)) }
            if w <= 0 { break }
            sent += w
        }
        shutdown(connection, Int32(SHUT_WR))
    } else {
        shutdown(listener, Int32(SHUT_RDWR))
    }
    reader.join()
    if rc != 0 { throw NFQTestError(description: "connect to the server namespace failed") }
    if let acceptErrno { throw NFQTestError(description: "accept in the server namespace: errno \(acceptErrno)") }
    return (received, nfqSeconds() - start)
}
