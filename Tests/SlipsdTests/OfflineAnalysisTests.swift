import NetCore
import Records
import Testing
import Foundation
import TestSupport
import Capture

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

    @Test func slipsDatasetQUICFlowMatchesTcpdump() throws {
        let capture = RepositoryPaths.slipsDataset + "/test8-malicious.pcap"
        guard FileManager.default.fileExists(atPath: capture) else {
            print("skipped: \(capture) is absent (the Slips dataset lives next to the checkout only on dev machines)")
            return
        }
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
        let alerts = try String(contentsOfFile: dir + "/out/alerts.log", encoding: .utf8)
        #expect(alerts.contains("ARP scan"), "\(alerts)")
    }
}
