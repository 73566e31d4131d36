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
    static let seconds = 3.0

    @Test func acceptAllThroughputAgainstCBaseline() throws {
        let net = try NFQTopology(queue: Self.queue)
        defer { net.remove() }
        // A bound socket that is never read: the server's kernel counts and drops datagrams cheaply.
        let sink = try NFQUDPSocket(in: net.server, bind: (NFQTopology.serverAddress, 9998))
        _ = sink

        // C baseline.
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Benchmarks/nfq-accept-c").standardized.path
        try nfqRun(["sh", "\(directory)/build.sh"])
        let baseline = Process()
        baseline.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        baseline.arguments = ["netns", "exec", net.router, "\(directory)/nfq_accept", "-t", String(Self.seconds),
                              String(Self.queue)]
        let output = Pipe()
        baseline.standardOutput = output
        try baseline.run()
        let bindDeadline = nfqSeconds() + 5
        while try net.kernelQueueTable().isEmpty && nfqSeconds() < bindDeadline { nfqSleep(.milliseconds(10)) }
        let before = try udpDelivered(net)
        let cSent = try flood(net, directory: directory, seconds: Self.seconds + 0.5)
        baseline.waitUntilExit()
        let cForwarded = try udpDelivered(net) - before
        let cLine = String(data: output.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
        let cPackets = Double(cLine.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0)
        let cRate = Double(cLine.split(separator: " ").last.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0)

        // NFQueueSource with an accept-all handler.
        let source = try net.openSource()
        try source.start(handler: NFQAcceptAll())
        let before2 = try udpDelivered(net)
        let start = nfqSeconds()
        let swiftSent = try flood(net, directory: directory, seconds: Self.seconds)
        let elapsed = nfqSeconds() - start
        source.stop()
        let swiftForwarded = try udpDelivered(net) - before2
        let stats = source.statistics
        let swiftRate = Double(stats.packets) / elapsed

        // The whole product inline: `slipsd --inline` (decode, flow table, detectors, verdicts), no blocking,
        // using the topology's own steering rule, forwarding the same flood.
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/release/slipsd").standardized.path
        var slipsdForwarded = 0, slipsdSent = 0, slipsdElapsed = 1.0
        if FileManager.default.isExecutableFile(atPath: binary) {
            let config = NSTemporaryDirectory() + "slipsd-nfq-bench-\(getpid()).yaml"
            try "daemon:\n  user: nobody\n  control_socket: \(NSTemporaryDirectory())slipsd-nfq-bench-\(getpid()).sock\n"
                .write(toFile: config, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let daemon = Process()
            daemon.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            daemon.arguments = ["netns", "exec", net.router, binary, "--inline", "--queue", String(Self.queue),
                                "--no-steer", "--no-block", "-c", config]
            daemon.standardError = FileHandle.nullDevice
            try daemon.run()
            let readyDeadline = nfqSeconds() + 10
            while try net.kernelQueueTable().isEmpty && nfqSeconds() < readyDeadline { nfqSleep(.milliseconds(10)) }
            let before3 = try udpDelivered(net)
            let start3 = nfqSeconds()
            slipsdSent = try flood(net, directory: directory, seconds: Self.seconds)
            slipsdElapsed = nfqSeconds() - start3
            slipsdForwarded = try udpDelivered(net) - before3
            daemon.interrupt()
            daemon.waitUntilExit()
        }

        print("""
            throughput (64-byte UDP, \(Self.seconds) s):
              C baseline:    sent \(cSent), handled \(Int(cPackets)) in user space (\(Int(cRate)) pps), \
            forwarded \(cForwarded)
              NFQueueSource: sent \(swiftSent), handled \(stats.packets) in user space (\(Int(swiftRate)) pps), \
            forwarded \(swiftForwarded), batches \(stats.batches), overruns \(stats.receiveOverruns)
              ratio Swift/C (user-space pps): \(cRate > 0 ? String(format: "%.2f", swiftRate / cRate) : "n/a")
              slipsd --inline: sent \(slipsdSent), forwarded \(slipsdForwarded) (\(Int(Double(slipsdForwarded) / slipsdElapsed)) pps)
              ratio slipsd/C (forwarded pps): \(cForwarded > 0 ? String(format: "%.2f", (Double(slipsdForwarded) / slipsdElapsed) / (Double(cForwarded) / (Self.seconds + 0.5))) : "n/a")
            """)
        #expect(stats.packets > 0)
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
