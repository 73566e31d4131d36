import Foundation
import Testing
import NetCore
import Detect
@testable import slipsd

/// The `threatintelligence:` section with Slips' keys, a Slips-format local folder written by the test loaded
/// through it, refusal of a file another user can write, and `slipsd -f` on a Zeek directory giving the
/// threat-intelligence evidence in alerts.log.
@Suite("Threat intelligence config and end to end", .serialized)
struct ThreatIntelConfigTests {
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "sdd-ti-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path + "/local_ti_files", withIntermediateDirectories: true)
        chmod(path, 0o755)
        chmod(path + "/local_ti_files", 0o755)
        return path
    }

    func write(_ text: String, _ path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
    }

    /// Slips' local folder: IoCs, JA3, known false-positive MD5s, by Slips' file names.
    func writeLocalFolder(_ dir: String) throws {
        try write("""
            # Format: IP/domain/IP range/ASN, threat level, description, tag
            203.0.113.66,high,Simda CC
            198.51.100.0/24,critical,bad range
            evil.example,high,phishing kit
            AS64500,medium,bad network
            """ + "\n", dir + "/local_ti_files/own_malicious_iocs.csv")
        try write("# ja3, threat level, description\ne7d705a3286e19ea42f587b344ee6865,high,Cobalt Strike\n",
                  dir + "/local_ti_files/own_malicious_JA3.csv")
        try write("# description, md5\nInstaller, fedcba9876543210fedcba9876543210\n",
                  dir + "/local_ti_files/known_fp_md5_hashes.csv")
    }

    func config(_ dir: String) -> String {
        """
        threatintelligence:
          wait_for_TI_to_finish: false
          local_threat_intelligence_files: \(dir)/local_ti_files/
          download_path_for_remote_threat_intelligence: \(dir)/remote/
          TI_files_update_period: 86400
          mac_db_update: 1209600
          ti_files: config/TI_feeds.csv
          ja3_feeds: config/JA3_feeds.csv
          ssl_feeds: config/SSL_feeds.csv
          RiskIQ_credentials_path: config/RiskIQ_credentials
        """
    }

    @Test func slipsKeysAreReadAndTheOthersListedAsIgnored() throws {
        let settings = try ConfigLoader.parse(config("/srv/ti"), file: "slips.yaml")
        #expect(settings.threatIntel.localFilesPath == "/srv/ti/local_ti_files/")
        #expect(settings.threatIntel.downloadPath == "/srv/ti/remote/")
        #expect(settings.threatIntel.tiFiles == "config/TI_feeds.csv" && settings.threatIntel.ja3Feeds == "config/JA3_feeds.csv")
        #expect(settings.threatIntel.sslFeeds == "config/SSL_feeds.csv" && settings.threatIntel.updatePeriodSeconds == 86400)
        #expect(settings.ignoredSlipsKeys.contains("threatintelligence.wait_for_TI_to_finish"))
        #expect(settings.ignoredSlipsKeys.contains("threatintelligence.RiskIQ_credentials_path"))
        #expect(!settings.ignoredSlipsKeys.contains("threatintelligence"))
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("threatintelligence:\n  TI_files_update_period: 0\n", file: "x.yaml")
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("threatintelligence:\n  no_such_key: 1\n", file: "x.yaml")
        }
        let shipped = try ConfigLoader.load(path: RepositoryPaths.root + "/config/slipsd.yaml")
        #expect(shipped.threatIntel.localFilesPath == "config/local_ti_files/" && shipped.threatIntel.downloadPath == nil)
        let disabled = try ConfigLoader.parse("modules:\n  disable: [threat_intelligence]\n", file: "x.yaml")
        #expect(disabled.detection.disabledModules.contains(ThreatIntelligenceDetector.name))
    }

    @Test func aSlipsLocalFolderLoadsThroughTheConfig() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeLocalFolder(dir)
        try FileManager.default.createDirectory(atPath: dir + "/remote", withIntermediateDirectories: true)
        chmod(dir + "/remote", 0o755)
        try write("# blocklist\n192.0.2.200\nbad.example.org\n", dir + "/remote/blocklist.txt")
        let settings = try ConfigLoader.parse(config(dir), file: "slips.yaml")
        let loaded = try ThreatIntelLoader.load(settings.threatIntel, trusted: true)
        let iocs = loaded.lists.iocs
        #expect(iocs.match(IPAddress("203.0.113.66")!)?.threatLevel == .high)
        #expect(iocs.match(IPAddress("198.51.100.9")!)?.description == "bad range")
        #expect(iocs.match(domain: "www.evil.example")?.domain == "evil.example")
        #expect(iocs.match(.ja3, "e7d705a3286e19ea42f587b344ee6865")?.feed == "own_malicious_JA3.csv")
        #expect(iocs.match(IPAddress("192.0.2.200")!)?.feed == "blocklist.txt")
        #expect(loaded.lists.knownFalsePositiveMD5.match(.md5, "fedcba9876543210fedcba9876543210") != nil)
        #expect(loaded.messages.contains { $0.contains("own_malicious_iocs.csv") && $0.contains("4 IoCs") }, "\(loaded.messages)")

        // A missing folder is one line, not an error.
        var missing = settings.threatIntel
        missing.localFilesPath = dir + "/nowhere"
        missing.downloadPath = nil
        let none = try ThreatIntelLoader.load(missing, trusted: true)
        #expect(none.lists.isEmpty && none.messages.count == 1)
    }

    @Test func aFileOthersCanWriteIsRefused() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeLocalFolder(dir)
        chmod(dir + "/local_ti_files/own_malicious_JA3.csv", 0o666)
        let settings = try ConfigLoader.parse(config(dir), file: "slips.yaml")
        #expect(throws: SlipsdError.self) { try ThreatIntelLoader.load(settings.threatIntel, trusted: true) }
    }

    /// `asn_database` absent or not a MaxMind DB: ASN IoCs loaded give one line saying why, and no ASN
    /// matching; no ASN IoCs, no line (the database is not even opened).
    @Test func anAbsentASNDatabaseIsOneLineAndNoASNMatching() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeLocalFolder(dir)
        var settings = try ConfigLoader.parse(config(dir) + "\n  asn_database: \(dir)/GeoLite2-ASN.mmdb\n",
                                              file: "slips.yaml").threatIntel
        #expect(settings.asnDatabase == dir + "/GeoLite2-ASN.mmdb")
        let absent = try ThreatIntelLoader.load(settings, trusted: true)
        let lines = absent.messages.filter { $0.contains("ASN") }
        #expect(lines == ["threat intelligence: ASN IoCs are not matched: no ASN database at \(dir)/GeoLite2-ASN.mmdb (asn_database)"],
                "\(absent.messages)")
        #expect(absent.lists.asnOfAddress == nil && absent.lists.iocs.match(asn: "AS64500") != nil)

        try write("AS64500,bad\n", dir + "/GeoLite2-ASN.mmdb")                    // not a MaxMind DB
        let garbage = try ThreatIntelLoader.load(settings, trusted: true)
        let garbageLines = garbage.messages.filter { $0.contains("ASN") }
        #expect(garbageLines.count == 1 && garbageLines[0].contains("not opened"), "\(garbage.messages)")
        #expect(garbage.lists.asnOfAddress == nil)

        chmod(dir + "/GeoLite2-ASN.mmdb", 0o666)                                    // others could write it
        let untrusted = try ThreatIntelLoader.load(settings, trusted: true)
        #expect(untrusted.messages.filter { $0.contains("ASN") && $0.contains("not read") }.count == 1)
        #expect(untrusted.lists.asnOfAddress == nil)

        try write("203.0.113.66,high,Simda CC\n", dir + "/local_ti_files/own_malicious_iocs.csv")
        settings.asnDatabase = dir + "/nowhere.mmdb"
        let noASNs = try ThreatIntelLoader.load(settings, trusted: true)
        #expect(!noASNs.messages.contains { $0.contains("ASN") }, "\(noASNs.messages)")
    }

    static func log(_ kind: String, _ fields: [String], _ rows: [[String]]) -> String {
        (["#separator \\x09", "#set_separator\t,", "#path\t\(kind)", "#fields\t" + fields.joined(separator: "\t")]
            + rows.map { $0.joined(separator: "\t") }).joined(separator: "\n") + "\n"
    }

    @Test(.timeLimit(.minutes(2))) func slipsdOnAZeekDirectoryWritesTheEvidence() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeLocalFolder(dir)
        try write(config(dir), dir + "/slips.yaml")
        let zeek = dir + "/zeek"
        try FileManager.default.createDirectory(atPath: zeek, withIntermediateDirectories: true)
        let id = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"]
        try write(Self.log("conn", id + ["proto", "service", "duration", "conn_state"], [
            ["1.0", "CtiConn1abcdefgh", "192.168.1.10", "40000", "203.0.113.66", "443", "tcp", "ssl", "1.0", "SF"],
            ["2.0", "CtiConn2abcdefgh", "192.168.1.10", "40001", "192.0.2.10", "443", "tcp", "ssl", "1.0", "SF"],
        ]), zeek + "/conn.log")
        try write(Self.log("dns", id + ["proto", "query", "answers"], [
            ["1.5", "CtiDns1abcdefghi", "192.168.1.10", "5353", "192.168.1.1", "53", "udp", "login.evil.example", "192.0.2.10"],
        ]), zeek + "/dns.log")
        try write(Self.log("ssl", id + ["server_name", "ja3"], [
            ["2.1", "CtiConn2abcdefgh", "192.168.1.10", "40001", "192.0.2.10", "443", "www.example.com",
             "e7d705a3286e19ea42f587b344ee6865"],
        ]), zeek + "/ssl.log")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-c", dir + "/slips.yaml", "-f", zeek, "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let alerts = try String(contentsOfFile: dir + "/out/alerts/alerts.log", encoding: .utf8)
        for words in ["connection to blacklisted IP: 203.0.113.66 from 192.168.1.10. Description: Simda CC. Source: own_malicious_iocs.csv.",
                      "connection to a blacklisted domain login.evil.example. Description: phishing kit, Found in feed: own_malicious_iocs.csv, Confidence: 0.7.",
                      "DNS answer 192.0.2.10 of the blacklisted query login.evil.example.",
                      "Malicious JA3: e7d705a3286e19ea42f587b344ee6865 from source address 192.168.1.10 to 192.0.2.10."] {
            #expect(alerts.contains(words), "no '\(words)' in:\n\(alerts)")
        }
        let log = try String(contentsOfFile: dir + "/out/slipsd.log", encoding: .utf8)
        #expect(log.contains("IoCs from \(dir)/local_ti_files/own_malicious_iocs.csv"), "\(log)")
    }
}
