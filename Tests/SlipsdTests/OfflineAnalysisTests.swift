import NetCore
import Records
import Testing
import Foundation
import TestSupport
import Capture
#if canImport(Glibc)
import Glibc
#endif

/// `slipsd -r` end to end: the built binary on captures the tests write themselves (and on the Slips dataset
/// when it is next to the checkout).
@Suite("Offline analysis (slipsd -r)", .serialized)
struct OfflineAnalysisTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "slipsd-offline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func syntheticCaptureGivesFlowsAndSummary() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try SyntheticTraffic.writeBenchmarkCapture(path: dir + "/t.pcap", packets: 60_000, flows: 2_000)
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-r", dir + "/t.pcap", "--flows", dir + "/conn.json", "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("packets       \(written.packets) "))
        #expect(result.stdout.contains("decode errors none"))
        // Every TCP flow of the mix is one flow record (the unanswered SYNs are TCP too); UDP likewise.
        #expect(result.stdout.contains("tcp \(written.tcpFlows + written.unansweredSYNFlows)"), "\(result.stdout) vs \(written)")
        #expect(result.stdout.contains("udp \(written.udpFlows)"), "\(result.stdout) vs \(written)")
        let lines = try String(contentsOfFile: dir + "/conn.json", encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= written.tcpFlows + written.udpFlows)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        for key in ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "conn_state", "history",
                    "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "orig_bytes", "resp_bytes", "duration"] {
            #expect(first[key] != nil, "missing \(key)")
        }
    }

    @Test func oneConnectionHasZeekFields() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let request = Array("GET / HTTP/1.1\r\nHost: example\r\n\r\n".utf8)
        var writer = PcapFileWriter()
        writer.append(contentsOf: SyntheticTraffic.tcpConnection(request: request, response: Array(repeating: 0x61, count: 2_000)))
        try writer.write(to: dir + "/one.pcap")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-r", dir + "/one.pcap", "--flows", dir + "/c.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try String(contentsOfFile: dir + "/c.json", encoding: .utf8).split(separator: "\n")[0]
        let flow = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(flow["id.orig_h"] as? String == "10.0.0.1")
        #expect(flow["id.resp_h"] as? String == "10.0.0.2")
        #expect(flow["id.resp_p"] as? Int == 80)
        #expect(flow["proto"] as? String == "tcp")
        #expect(flow["conn_state"] as? String == "SF")
        #expect(flow["orig_bytes"] as? Int == request.count)
        #expect(flow["resp_bytes"] as? Int == 2_000)
    }

    @Test func truncatedCaptureKeepsWhatCameBeforeTheCut() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SyntheticTraffic.writeBenchmarkCapture(path: dir + "/full.pcap", packets: 1_000, flows: 100)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/full.pcap"))
        try data.prefix(data.count - 30).write(to: URL(fileURLWithPath: dir + "/cut.pcap"))
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-r", dir + "/cut.pcap"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("is truncated"))
        #expect(result.stdout.contains("packets       999 "))
    }

    @Test("unreadable inputs get one clear message", arguments: [
        ("/nonexistent/x.pcap", "No such file or directory"),
        ("README.md", "not a pcap or pcapng capture"),
        ("Sources", "is a directory"),
    ])
    func badInput(path: String, message: String) throws {
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-r", RepositoryPaths.root + "/" + path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: RepositoryPaths.slipsDataset + "/test8-malicious.pcap"),
                   "the Slips dataset (test8-malicious.pcap) lives next to the checkout only on dev machines"))
    func slipsDatasetQUICFlowMatchesTcpdump() throws {
        let capture = RepositoryPaths.slipsDataset + "/test8-malicious.pcap"
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-r", capture, "--flows", dir + "/c.json"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("packets       534 "))
        // tcpdump -nr shows 8 packets 192.168.1.247.63386 > 173.194.76.189.443 and 7 back.
        let lines = try String(contentsOfFile: dir + "/c.json", encoding: .utf8).split(separator: "\n")
        let quic = try #require(lines.first { $0.contains("\"id.orig_p\":63386") })
        let flow = try #require(try JSONSerialization.jsonObject(with: Data(quic.utf8)) as? [String: Any])
        #expect(flow["id.orig_h"] as? String == "192.168.1.247")
        #expect(flow["id.resp_h"] as? String == "173.194.76.189")
        #expect(flow["orig_pkts"] as? Int == 8)
        #expect(flow["resp_pkts"] as? Int == 7)
        #expect(flow["conn_state"] as? String == "SF")
    }
}

/// The same traffic written as pcap (µs and ns) and pcapng, and in cooked (SLL2) and VLAN framing, gives the same
/// flows and the same ARP-scan evidence through `slipsd -r`.
@Suite("Offline analysis: capture formats", .serialized)
struct OfflineCaptureFormatTests {
    @Test(arguments: [PcapFileWriter.Format.microseconds, .nanoseconds, .pcapng])
    func formatsGiveTheSameResult(format: PcapFileWriter.Format) throws {
        let dir = NSTemporaryDirectory() + "slipsd-format-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let targets = (1...12).map { "10.0.0.\($0 + 100)" }
        let packets = SyntheticTraffic.tcpConnection() + SyntheticTraffic.arpScan(targets: targets)
        var writer = PcapFileWriter(linkType: .ethernet, format: format)
        writer.append(contentsOf: packets.sorted { $0.time < $1.time })
        try writer.write(to: dir + "/t.cap")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-r", dir + "/t.cap", "-o", dir + "/out", "--flows", dir + "/c.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("packets       \(packets.count) "))
        #expect(result.stdout.contains("conn_state    SF 1"))
        let alerts = try String(contentsOfFile: dir + "/out/alerts/alerts.log", encoding: .utf8)
        #expect(alerts.contains("performing an arp scan"), "\(alerts)")
    }
}

/// Correctness of `slipsd -r` at its edges: configuration refused before reading, a FIFO without a writer, and
/// capture timestamps no real clock produces.
@Suite("Offline analysis: correctness", .serialized)
struct OfflineCorrectnessTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "slipsd-correct-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a value the flow table or NFQUEUE refuses is a config error at its key (exit 2)", arguments: [
        ("flows:\n  tcp_close_delay: 0\n", "flows.tcp_close_delay"),
        ("inline:\n  watchdog_ms: 100\n", "inline.watchdog_ms"),
    ])
    func derivedConfigurationRefused(yaml: String, key: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try yaml.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        var writer = PcapFileWriter()
        writer.append(contentsOf: SyntheticTraffic.tcpConnection())
        try writer.write(to: dir + "/t.pcap")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-c", dir + "/c.yaml", "-r", dir + "/t.pcap"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("c.yaml:2:"), "\(result.stderr)")
        #expect(result.stderr.contains(key), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    /// Starts `slipsd -r fifo` and waits until it catches SIGINT and SIGTERM (`SigCgt` in /proc), which it sets
    /// up before it opens the capture.
    private func startOnFIFO(_ fifo: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.slipsdBinary)
        process.arguments = ["-r", fifo]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        let wanted: UInt64 = (1 << (UInt64(SIGINT) - 1)) | (1 << (UInt64(SIGTERM) - 1))
        while Date() < deadline {
            let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
            if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
               let caught = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16),
               caught & wanted == wanted {
                return process
            }
            usleep(10_000)
        }
        process.terminate()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "slipsd never installed its signal handlers"])
    }

    private func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return !process.isRunning
    }

    @Test(.timeLimit(.minutes(1)))
    func fifoWithoutWriterStopsOnTheFirstSignal() throws {
        for signal in [SIGINT, SIGTERM] {
            let dir = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let fifo = dir + "/capture.fifo"
            #expect(mkfifo(fifo, 0o600) == 0)
            let process = try startOnFIFO(fifo)
            let sent = Date()
            kill(process.processIdentifier, signal)
            let exited = waitForExit(process, seconds: 2)
            if !exited { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            #expect(exited, "slipsd -r on a FIFO without a writer ignored signal \(signal)")
            #expect(Date().timeIntervalSince(sent) < 2)
            if exited { #expect(process.terminationStatus == 130) }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func fifoWithAWriterIsRead() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/capture.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let packets = SyntheticTraffic.tcpConnection()
        var writer = PcapFileWriter()
        writer.append(contentsOf: packets)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.slipsdBinary)
        process.arguments = ["-r", fifo]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Opening for writing waits for the reader; write in two parts so the reader sees the header first.
        let handle = try #require(FileHandle(forWritingAtPath: fifo))
        handle.write(Data(writer.bytes.prefix(10)))
        usleep(200_000)
        handle.write(Data(writer.bytes.dropFirst(10)))
        try handle.close()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output.contains("packets       \(packets.count) "), "\(output)")
    }

    /// A classic pcap header of `format` and one record per stamp with raw timestamp fields, cycling `frames`.
    private func classicCapture(format: PcapFileWriter.Format, frames: [[UInt8]],
                                stamps: [(seconds: UInt32, fraction: UInt32)]) -> [UInt8] {
        var bytes = PcapFileWriter(format: format).bytes
        for (index, stamp) in stamps.enumerated() {
            let frame = frames[index % frames.count]
            bytes.appendLE32(stamp.seconds)
            bytes.appendLE32(stamp.fraction)
            bytes.appendLE32(UInt32(frame.count))
            bytes.appendLE32(UInt32(frame.count))
            bytes.append(contentsOf: frame)
        }
        return bytes
    }

    /// A pcapng section and interface (microsecond ticks) and enhanced packet blocks with raw 64-bit ticks.
    private func pcapngCapture(frame: [UInt8], ticks: [UInt64]) -> [UInt8] {
        var bytes = PcapFileWriter(format: .pcapng).bytes
        let padded = (frame.count + 3) / 4 * 4
        for tick in ticks {
            bytes.appendLE32(6)
            bytes.appendLE32(UInt32(32 + padded))
            bytes.appendLE32(0)
            bytes.appendLE32(UInt32(truncatingIfNeeded: tick >> 32))
            bytes.appendLE32(UInt32(truncatingIfNeeded: tick))
            bytes.appendLE32(UInt32(frame.count))
            bytes.appendLE32(UInt32(frame.count))
            bytes.append(contentsOf: frame)
            bytes.append(contentsOf: [UInt8](repeating: 0, count: padded - frame.count))
            bytes.appendLE32(UInt32(32 + padded))
        }
        return bytes
    }

    @Test("timestamps near the limits and going backwards neither crash nor stop the run",
          arguments: ["classic-us", "classic-ns", "pcapng"])
    func extremeTimestamps(kind: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let frames = SyntheticTraffic.tcpConnection().map(\.bytes)
        var capture: [UInt8] = []
        var count = 0
        switch kind {
        case "classic-us":
            let stamps: [(UInt32, UInt32)] = [(UInt32.max - 1, 999_999), (UInt32.max, UInt32.max), (1_000, 0),
                                              (UInt32.max, 0), (0, 0), (1_700_000_000, 5)]
            capture = classicCapture(format: .microseconds, frames: frames, stamps: stamps)
            count = stamps.count
        case "classic-ns":
            let stamps: [(UInt32, UInt32)] = [(UInt32.max, UInt32.max), (UInt32.max - 3, 4_000_000_000),
                                              (10, UInt32.max), (1_700_000_000, 999_999_999), (1_600_000_000, 1)]
            capture = classicCapture(format: .nanoseconds, frames: frames, stamps: stamps)
            count = stamps.count
        default:
            // 64-bit microsecond ticks: past Int64.max seconds-as-micros, at the top of UInt64, back to 2023.
            let ticks: [UInt64] = [.max, .max - 1, UInt64(Int64.max), UInt64(Int64.max) + 1, 1_700_000_000_000_000,
                                   0, 1 << 63, 1_700_000_000_000_001]
            capture = pcapngCapture(frame: frames[0], ticks: ticks)
            count = ticks.count
        }
        try Data(capture).write(to: URL(fileURLWithPath: dir + "/t.cap"))
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-r", dir + "/t.cap", "-o", dir + "/out", "--flows", dir + "/c.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("packets       \(count) "), "\(result.stdout)")
    }

    /// A horizontal scan of 1200 hosts, one SYN every 6 s of packet time (2 h): with `only_one_tw` it is one
    /// window's scan, reported once at each of Slips' levels (10, 100, 1000 targets), never swept and reported again.
    @Test func onlyOneTimeWindowReportsALongScanOncePerLevel() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "parameters:\n  only_one_tw: true\n".write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let targets = (0..<1_200).map { "10.1.\($0 / 250).\($0 % 250 + 1)" }
        var writer = PcapFileWriter()
        writer.append(contentsOf: SyntheticTraffic.horizontalScan(targets: targets, port: 80, interval: 6_000_000))
        try writer.write(to: dir + "/scan.pcap")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-c", dir + "/c.yaml", "-r", dir + "/scan.pcap", "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let log = try String(contentsOfFile: dir + "/out/alerts/alerts.log", encoding: .utf8)
        let scans = log.split(separator: "\n").filter { $0.contains("Horizontal port scan") || $0.contains("horizontal port scan") }
        #expect(scans.count == 3, "\(scans.joined(separator: "\n"))")
        for level in [10, 100, 1000] {
            #expect(scans.filter { $0.contains(" to \(level) unique destination IPs") }.count == 1, "level \(level): \(scans)")
        }
    }
}
