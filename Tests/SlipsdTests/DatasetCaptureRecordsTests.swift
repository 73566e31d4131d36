import Foundation
import Testing

/// Issue 11's acceptance on Slips' captures: `slipsd -r` on `test-cc/test-cc-capture-2.pcap` and
/// `test8-malicious.pcap` writes, with `--zeek-logs`, the DNS and TLS records their packets carry — compared with
/// tshark's dissection of the same files, a reference nobody here wrote — and the detections those records imply.
/// Skipped, with the reason, when the shared dataset is absent.
@Suite("Records and detections from Slips' captures", .serialized)
struct DatasetCaptureRecordsTests {
    private static func capture(_ relative: String) throws -> String {
        let path = RepositoryPaths.slipsDataset + "/" + relative
        guard FileManager.default.fileExists(atPath: path) else {
            print("skipped \(relative): not in the shared dataset (\(path))")
            try Test.cancel("\(relative) is not in the shared dataset (\(path))")
        }
        try #require(FileManager.default.isExecutableFile(atPath: RepositoryPaths.slipsdBinary),
                     "slipsd is not built at \(RepositoryPaths.slipsdBinary)")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark"), "tshark is missing: run make deps")
        return path
    }

    /// `slipsd -r capture -o DIR --zeek-logs`; returns DIR (removed by the caller).
    private static func analyse(_ capture: String) throws -> String {
        let output = NSTemporaryDirectory() + "slipsd-dataset-records-\(UUID().uuidString)"
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-r", capture, "-o", output, "--zeek-logs"],
                                           directory: RepositoryPaths.root)
        #expect(result.status == 0, "\(result.stderr)")
        return output
    }

    private static func tshark(_ capture: String, _ filter: String, _ fields: [String]) throws -> [[String]] {
        let result = try ProcessResult.run("/usr/bin/tshark", ["-r", capture, "-Y", filter, "-T", "fields"]
                                               + fields.flatMap { ["-e", $0] })
        try #require(result.status == 0, "tshark failed: \(result.stderr)")
        return result.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    private static func log(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func commandAndControlCaptureGivesTsharksDNSAndTLSRecords() throws {
        let capture = try Self.capture("test-cc/test-cc-capture-2.pcap")
        let output = try Self.analyse(capture)
        defer { try? FileManager.default.removeItem(atPath: output) }

        // TLS: every ClientHello's SNI and JA3, and every ServerHello's JA3S, as tshark computes them.
        let hellos = try Self.tshark(capture, "tls.handshake.type == 1",
                                     ["tls.handshake.extensions_server_name", "tls.handshake.ja3"])
        let serverHellos = try Self.tshark(capture, "tls.handshake.type == 2", ["tls.handshake.ja3s"])
        let ssl = Self.log(output + "/zeek/ssl.log")
        #expect(!hellos.isEmpty && ssl.count == hellos.count, "\(ssl.count) ssl records vs \(hellos.count) ClientHellos")
        let ours = ssl.map { "\($0["server_name"] as? String ?? "") \($0["ja3"] as? String ?? "")" }.sorted()
        let theirs = hellos.map { "\($0[0]) \($0.count > 1 ? $0[1] : "")" }.sorted()
        #expect(ours == theirs)
        #expect(ssl.compactMap { $0["ja3s"] as? String }.sorted() == serverHellos.map { $0[0] }.sorted())

        // DNS: each response's id, name, rcode and A answers are in a dns record of the same transaction.
        let responses = try Self.tshark(capture, "dns.flags.response == 1",
                                        ["dns.id", "dns.qry.name", "dns.flags.rcode", "dns.a"])
        let dns = Self.log(output + "/zeek/dns.log")
        #expect(responses.count > 100, "the capture holds \(responses.count) DNS responses")
        var missing: [String] = []
        for response in responses {
            guard response.count >= 3, let id = Int(response[0].dropFirst(2), radix: 16), let rcode = Int(response[2])
            else { missing.append(response.joined(separator: " ")); continue }
            let addresses = response.count > 3 ? response[3].split(separator: ",").map(String.init) : []
            let found = dns.contains { record in
                record["trans_id"] as? Int == id && record["query"] as? String == response[1]
                    && record["rcode"] as? Int == rcode
                    && Set(addresses).isSubset(of: Set(record["answers"] as? [String] ?? []))
            }
            if !found { missing.append(response.joined(separator: " ")) }
        }
        #expect(missing.isEmpty, "responses without their dns record: \(missing.prefix(5))")
        // Every name of every DNS message (one response there has no query in the capture) is in a record.
        let named = Set(try Self.tshark(capture, "dns", ["dns.qry.name"]).map { $0[0] })
        let recorded = Set(dns.compactMap { $0["query"] as? String })
        #expect(recorded == named, "only slipsd: \(recorded.subtracting(named)), only tshark: \(named.subtracting(recorded))")

        // What those records imply, with Slips' words: blocklist look-ups answered with 127.0.0.x are invalid
        // resolutions, and names resolved but never contacted are DNS without connection.
        let alerts = try String(contentsOfFile: output + "/alerts/alerts.log", encoding: .utf8)
        #expect(alerts.contains("zen.spamhaus.org was resolved to the private IP: 127.0.0."), "\(alerts.prefix(1500))")
        #expect(alerts.contains("zen.spamhaus.org resolved with no connection"), "\(alerts.prefix(1500))")
        print("test-cc-capture-2: \(ssl.count) ssl and \(dns.count) dns records agree with tshark")
    }

    @Test(.timeLimit(.minutes(2)))
    func malwareCaptureHasNoNamesToReadAndGivesItsARPScan() throws {
        let capture = try Self.capture("test8-malicious.pcap")
        let output = try Self.analyse(capture)
        defer { try? FileManager.default.removeItem(atPath: output) }
        // tshark finds no DNS message and no TLS or QUIC handshake there (the QUIC flow starts after its Initial
        // packets), so neither must slipsd.
        let names = try Self.tshark(capture, "dns || tls.handshake || quic.long.packet_type == 0", ["frame.number"])
        #expect(names.isEmpty, "tshark found handshakes: \(names.prefix(3))")
        #expect(Self.log(output + "/zeek/dns.log").isEmpty && Self.log(output + "/zeek/ssl.log").isEmpty)
        let conn = Self.log(output + "/zeek/conn.log")
        #expect(conn.contains { $0["id.resp_h"] as? String == "173.194.76.189" && $0["id.resp_p"] as? Int == 443 })
        let alerts = try String(contentsOfFile: output + "/alerts/alerts.log", encoding: .utf8)
        #expect(alerts.contains("performing an arp scan"), "\(alerts.prefix(1500))")
    }
}
