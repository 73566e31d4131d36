import NetCore
import Records
import Capture
import Foundation
import Glibc
import Synchronization
import Testing

/// A measurement, not a unit test: runs only with `SLIPSD_NFQ_BENCH=1` (better with `-c release`). It floods the
/// namespace topology with 64-byte UDP datagrams (C load generator `udp_flood`) for a few seconds, once through the C accept-all baseline
/// (Benchmarks/nfq-accept-c) and once through `NFQueueSource` with an accept-all handler, and prints packets per
/// second handled in user space and forwarded in total (the rest was accepted by the kernel's FAIL_OPEN when the
/// queue was full). Nothing is asserted about speed.
@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: ProcessInfo.processInfo.environment["SLIPSD_NFQ_BENCH"] != nil))
struct NFQueueThroughputTests {
    static let queue: UInt16 = 7
    static let seconds = 2.0
    static let rounds = 3

    @Test func acceptAllThroughputAgainstCBaseline() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        // A bound socket that is never read: the server's kernel counts and drops datagrams cheaply.
        let sink = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9998))
        _ = sink
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Benchmarks/nfq-accept-c").standardized.path
        try nfqRun(["sh", "\(directory)/build.sh"])
        // Warm the neighbour caches (ARP on both hops) through the bypass, so no round pays for resolution.
        _ = try flood(net, directory: directory, seconds: 0.2)

        var cRates: [Double] = [], swiftRates: [Double] = []
        var lines: [String] = []
        for round in 1...Self.rounds {
            // C baseline, stopped with SIGINT when the flood ends.
            let baseline = Process()
            baseline.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            baseline.arguments = ["netns", "exec", net.router, "\(directory)/nfq_accept", String(Self.queue)]
            let output = Pipe()
            baseline.standardOutput = output
            try baseline.run()
            let bindDeadline = nfqSeconds() + 5
            while try net.kernelQueueTable().isEmpty && nfqSeconds() < bindDeadline { nfqSleep(.milliseconds(10)) }
            var before = try udpDelivered(net)
            var start = nfqSeconds()
            let cSent = try flood(net, directory: directory, seconds: Self.seconds)
            var elapsed = nfqSeconds() - start
            baseline.interrupt()
            baseline.waitUntilExit()
            let cForwarded = try udpDelivered(net) - before
            let cLine = String(data: output.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
            let cPackets = cLine.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
            cRates.append(cPackets / elapsed)

            // NFQueueSource with an accept-all handler.
            let source = try net.openSource()
            try source.start(handler: NFQAcceptAll())
            before = try udpDelivered(net)
            start = nfqSeconds()
            let swiftSent = try flood(net, directory: directory, seconds: Self.seconds)
            elapsed = nfqSeconds() - start
            source.stop()
            let swiftForwarded = try udpDelivered(net) - before
            let stats = source.statistics
            swiftRates.append(Double(stats.packets) / elapsed)
            lines.append("""
                  round \(round): C sent \(cSent) handled \(Int(cPackets)) (\(Int(cRates.last!)) pps) forwarded \
                \(cForwarded) | Swift sent \(swiftSent) handled \(stats.packets) (\(Int(swiftRates.last!)) pps) \
                forwarded \(swiftForwarded), \(stats.batches) batches, \(stats.receiveOverruns) overruns
                """)
            #expect(stats.packets > 0)
        }
        let cBest = cRates.max() ?? 0, swiftBest = swiftRates.max() ?? 0
        print("""
            throughput, 64-byte UDP, \(Self.rounds) alternating rounds of \(Self.seconds) s (user-space packets/s \
            = packets verdicted by the consumer / flood time; the rest was accepted by the kernel's FAIL_OPEN):
            \(lines.joined(separator: "\n"))
              best: C \(Int(cBest)) pps, NFQueueSource \(Int(swiftBest)) pps, ratio \
            \(cBest > 0 ? String(format: "%.2f", swiftBest / cBest) : "n/a")
            """)

        // The whole product: `slipsd --inline` (decode, flow table, detectors, verdicts; no blocking) against the
        // C loop, each forwarding the same flood; forwarded datagrams per second of flood, measured at the server.
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/release/slipsd").standardized.path
        // `make bench` builds the release binary first: its absence is a broken benchmark, not a skip.
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no release build at \(binary)")
        let config = NSTemporaryDirectory() + "slipsd-nfq-bench-\(getpid()).yaml"
        try "daemon:\n  user: nobody\n  control_socket: \(NSTemporaryDirectory())slipsd-nfq-bench-\(getpid()).sock\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        func forwardedRate(_ arguments: [String]) throws -> (sent: Int, rate: Double) {
            let consumer = Process()
            consumer.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            consumer.arguments = ["netns", "exec", net.router] + arguments
            consumer.standardOutput = FileHandle.nullDevice
            consumer.standardError = FileHandle.nullDevice
            try consumer.run()
            let deadline = nfqSeconds() + 10
            while try net.kernelQueueTable().isEmpty && nfqSeconds() < deadline { nfqSleep(.milliseconds(10)) }
            let before = try udpDelivered(net)
            let start = nfqSeconds()
            let sent = try flood(net, directory: directory, seconds: Self.seconds)
            let elapsed = nfqSeconds() - start
            let forwarded = try udpDelivered(net) - before
            consumer.interrupt()
            consumer.waitUntilExit()
            return (sent, Double(forwarded) / elapsed)
        }
        let c = try forwardedRate(["\(directory)/nfq_accept", String(Self.queue)])
        let product = try forwardedRate([binary, "--inline", "--queue", String(Self.queue), "--no-steer", "--no-block",
                                         "-c", config])
        print("""
            forwarded (server-side datagrams per second of flood): C accept-all \(Int(c.rate)) pps (sent \(c.sent)), \
            slipsd --inline \(Int(product.rate)) pps (sent \(product.sent)), ratio slipsd/C \
            \(c.rate > 0 ? String(format: "%.2f", product.rate / c.rate) : "n/a")
            """)
        #expect(product.rate > 0)
    }

    /// Runs the C load generator (sendmmsg, 64-byte datagrams) in the client namespace; returns the count sent.
    private func flood(_ net: NFQTopology, directory: String, seconds: Double) throws -> Int {
        let out = try nfqRun(["ip", "netns", "exec", net.client, "\(directory)/udp_flood", NFQTopology.serverAddress,
                              "9998", String(seconds), "64"])
        return Int(out.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
    }

    /// UDP datagrams that reached the server's UDP layer (InDatagrams + InErrors from /proc/net/snmp).
    private func udpDelivered(_ net: NFQTopology) throws -> Int {
        let snmp = try nfqRun(["ip", "netns", "exec", net.server, "cat", "/proc/net/snmp"])
        let lines = snmp.split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard lines.count >= 2 else { return 0 }
        let names = lines[0].split(separator: " "), values = lines[1].split(separator: " ")
        func value(_ name: String) -> Int {
            guard let i = names.firstIndex(where: { $0 == name }), i < values.count else { return 0 }
            return Int(values[i]) ?? 0
        }
        return value("InDatagrams") + value("InErrors")
    }
}

/// Accepts everything; counts nothing itself (the source counts).
final class NFQAcceptAll: PacketHandler {
    func handlePacket(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                      linkType: LinkType) -> PacketVerdict { .accept }
    func idle(now: PacketTime) {}
}
