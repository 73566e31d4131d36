import Foundation
import Testing
@testable import slipsd

/// Issue 11's acceptance for the ARP, DHCP, TLS, DNS-pairing and user-agent detections: the built `slipsd -f`
/// on Slips' own Zeek directories (skipped, with the reason, when the shared dataset is absent) and on a Zeek
/// directory the test writes, asserting Slips' words in alerts.log.
@Suite("ARP/DHCP/TLS/DNS-pairing detections from Zeek logs", .serialized)
struct AppDetectionsDatasetTests {
    private typealias Logs = FlowFileZeekLogsTests

    /// Runs slipsd on `input`; returns alerts.log.
    private static func run(_ input: String) throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: RepositoryPaths.slipsdBinary),
                     "slipsd is not built at \(RepositoryPaths.slipsdBinary)")
        let output = NSTemporaryDirectory() + "slipsd-appdet2-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", input, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        let errors = SlipsDatasetAcceptanceTests.read(output + "/errors.log")
        #expect(!errors.contains("rror"), "\(errors)")
        return try String(contentsOfFile: output + "/alerts/alerts.log", encoding: .utf8)
    }

    private static func dataset(_ name: String, file: String) throws -> String {
        let input = RepositoryPaths.slipsDataset + "/" + name
        guard FileManager.default.fileExists(atPath: input + "/" + file) else {
            print("skipped \(name): not in the shared dataset (\(input))")
            try Test.cancel("\(name) is not in the shared dataset (\(input))")
        }
        return input
    }

    @Test(.timeLimit(.minutes(2)))
    func dhcpScanDirectoryGivesDHCPScan() throws {
        let alerts = try Self.run(try Self.dataset("test13-malicious-dhcpscan-zeek-dir", file: "dhcp.log"))
        let lines = alerts.split(separator: "\n").filter { $0.contains("Performing a DHCP scan by requesting") }
        print("test13-malicious-dhcpscan-zeek-dir: \(lines.count) DHCP scan lines")
        #expect(alerts.contains("Src IP 192.168.1.30"), "\(alerts.prefix(2000))")
        #expect(alerts.contains("Performing a DHCP scan by requesting 4 different IP addresses. Confidence: 0.8. by Slips"),
                "\(alerts.prefix(2000))")
    }

    @Test(.timeLimit(.minutes(2)))
    func arpLogGivesOutsideLocalNetworkAndUnsolicitedARP() throws {
        let input = try Self.dataset("test16-malicious-zeek-dir", file: "arp.log")
        let alerts = try Self.run(input + "/arp.log")
        #expect(alerts.contains("192.168.1.15 sending ARP packet to a destination address outside of local network: 69.220.152.0."),
                "\(alerts)")
        #expect(alerts.contains("broadcasting unsolicited ARP"), "\(alerts)")
    }

    private static func writeLogs(into dir: String) throws {
        func write(_ text: String, _ name: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        func id(_ ts: Int, _ uid: String, _ client: String, _ server: String, _ port: Int) -> [String] {
            ["\(ts).0", uid, client, "40000", server, "\(port)"]
        }
        try write(Logs.log("ssl", Logs.id + ["server_name", "subject", "issuer", "validation_status"], [
            id(10, "Cssl0000000000000001", "10.0.0.5", "93.184.216.34", 443)
                + ["box.example", "CN=box.example", "CN=box.example", "self signed certificate"],
        ]), "ssl.log")
        try write(Logs.log("dns", Logs.id + ["proto", "query", "qtype_name", "rcode_name", "answers"], [
            id(11, "Cdns0000000000000001", "10.0.0.5", "10.0.0.1", 53) + ["udp", "used.example", "A", "NOERROR", "93.184.216.34"],
            id(12, "Cdns0000000000000002", "10.0.0.5", "10.0.0.1", 53) + ["udp", "unused.example", "A", "NOERROR", "93.184.216.99"],
        ]), "dns.log")
        try write(Logs.log("conn", Logs.id + ["proto", "service", "duration", "orig_bytes", "resp_bytes", "conn_state"], [
            id(10, "Cssl0000000000000001", "10.0.0.5", "93.184.216.34", 443) + ["tcp", "ssl", "2.0", "500", "4000", "SF"],
            id(13, "Cconn000000000000001", "10.0.0.5", "203.0.113.200", 8443) + ["tcp", "-", "2.0", "500", "400", "SF"],
            id(14, "Cconn000000000000002", "10.0.0.5", "45.33.32.156", 8443) + ["tcp", "-", "2.0", "500", "400", "SF"],
        ]), "conn.log")
        try write(Logs.log("dhcp", ["ts", "uids", "client_addr", "server_addr", "requested_addr", "msg_types"], (0..<4).map {
            ["\(20 + $0).0", "Cdhcp00000000000000\($0)", "10.0.0.9", "10.0.0.1", "10.0.0.\(100 + $0)", "REQUEST,ACK"]
        }), "dhcp.log")
        let windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120.0 Mobile Safari/537.36"
        try write(Logs.log("http", Logs.id + ["method", "host", "uri", "user_agent"], [
            id(30, "Chttp00000000000001", "10.0.0.8", "93.184.216.80", 80) + ["GET", "a.example", "/", windows],
            id(31, "Chttp00000000000002", "10.0.0.8", "93.184.216.80", 80) + ["GET", "a.example", "/", android],
        ]), "http.log")
    }

    @Test(.timeLimit(.minutes(2)))
    func writtenZeekLogsGiveSlipsWords() throws {
        let dir = NSTemporaryDirectory() + "slipsd-appdet2-in-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeLogs(into: dir)
        let alerts = try Self.run(dir)
        for words in [
            "Self-signed certificate. Destination IP: 93.184.216.34. SNI: box.example.",
            "domain unused.example resolved with no connection",
            "A connection without DNS resolution to Destination IP: 45.33.32.156",
            "Performing a DHCP scan by requesting 4 different IP addresses. Confidence: 0.8. by Slips",
            "Using multiple user-agents:",
        ] {
            #expect(alerts.contains(words), "missing '\(words)' in:\n\(alerts)")
        }
        // Resolved, and a documentation range Slips counts as private: not connections without DNS.
        #expect(!alerts.contains("without DNS resolution to Destination IP: 93.184.216.34 ")
                && !alerts.contains("without DNS resolution to Destination IP: 203.0.113.200 "))
        #expect(!alerts.contains("domain used.example resolved with no connection"))
    }
}
