import Foundation
import Testing
import Capture
import Detect
import TestSupport
@testable import slipsd

/// `analyzers.http_hashes: auto` (the default): body digests only for the consumers of the run — all three for
/// `--zeek-logs`, MD5 when the threat-intelligence detector has MD5s to match, none otherwise; an explicit list
/// as given. Then `slipsd -r` end to end: files.log digests with --zeek-logs, and MALICIOUS_DOWNLOADED_FILE from a
/// local MD5 list with the default config.
@Suite("HTTP body digests: http_hashes auto", .serialized)
struct HTTPHashesAutoTests {
    private func directory() throws -> String {
        let path = NSTemporaryDirectory() + "sdan-hashes-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path + "/ti", withIntermediateDirectories: true)
        chmod(path, 0o755)
        chmod(path + "/ti", 0o755)
        return path
    }

    private func write(_ text: String, _ path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
    }

    private func config(_ dir: String, extra: String = "") -> String {
        "threatintelligence:\n  local_threat_intelligence_files: \(dir)/ti/\n"
            + "  download_path_for_remote_threat_intelligence: \(dir)/remote/\n" + extra
    }

    @Test("auto is the default: no consumer no digest, --zeek-logs all three, an MD5-matching detector md5")
    func autoFollowsTheConsumers() throws {
        let analyzers = try ConfigLoader.parse("", file: "t.yaml").analyzers
        #expect(analyzers.httpHashes == nil)
        #expect(analyzers.httpHashKinds(HTTPHashConsumers()) == [])
        #expect(analyzers.configuration(hashConsumers: HTTPHashConsumers()).httpHashes == [])
        #expect(analyzers.httpHashKinds(HTTPHashConsumers(zeekLogs: true)) == .all)
        #expect(analyzers.httpHashKinds(HTTPHashConsumers(detectors: .md5)) == .md5)
        #expect(analyzers.httpHashKinds(HTTPHashConsumers(zeekLogs: true, detectors: .md5)) == .all)
        let spelled = try ConfigLoader.parse("analyzers:\n  http_hashes: auto\n", file: "t.yaml").analyzers
        #expect(spelled.httpHashes == nil)
    }

    @Test("an explicit list is computed whoever reads it")
    func explicitListIsKept() throws {
        let analyzers = try ConfigLoader.parse("analyzers:\n  http_hashes: [md5, sha256]\n", file: "t.yaml").analyzers
        #expect(analyzers.httpHashKinds(HTTPHashConsumers()) == [.md5, .sha256])
        #expect(analyzers.httpHashKinds(HTTPHashConsumers(zeekLogs: true)) == [.md5, .sha256])
        let none = try ConfigLoader.parse("analyzers:\n  http_hashes: []\n", file: "t.yaml").analyzers
        #expect(none.httpHashKinds(HTTPHashConsumers(zeekLogs: true)) == [])
    }

    @Test("a word other than auto, or an unknown hash, is an error naming the key", arguments: ["all", "[md5, crc32]"])
    func badValuesAreRefused(value: String) {
        do {
            _ = try ConfigLoader.parse("analyzers:\n  http_hashes: \(value)\n", file: "t.yaml")
            Issue.record("\(value) was accepted")
        } catch {
            #expect("\(error)".contains("http_hashes"), "\(error)")
        }
    }

    @Test("the detectors read MD5 only with an MD5 list loaded and the threat-intelligence detector running")
    func detectorsReadMD5WhenListed() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let without = try DetectionWiring(settings: ConfigLoader.parse(config(dir), file: "t.yaml"),
                                          outputDirectory: nil, verbosity: 0)
        #expect(without.bodyDigestsRead == [])
        try write("# md5, threat level, description\n0123456789abcdef0123456789abcdef,high,dropper\n",
                  dir + "/ti/own_malicious_md5.csv")
        let listed = try DetectionWiring(settings: ConfigLoader.parse(config(dir), file: "t.yaml"),
                                         outputDirectory: nil, verbosity: 0)
        #expect(listed.bodyDigestsRead == .md5)
        let disabled = try DetectionWiring(settings: ConfigLoader.parse(config(dir, extra: "modules:\n  disable: [threat_intelligence]\n"),
                                                                        file: "t.yaml"),
                                           outputDirectory: nil, verbosity: 0)
        #expect(disabled.bodyDigestsRead == [])
    }

    /// The download of `AppTraffic.mixed` (an MZ body) as a capture, and the body's MD5 by md5sum.
    private func mixedCapture(_ dir: String) throws -> String {
        var writer = PcapFileWriter()
        writer.append(contentsOf: AppTraffic.mixed())
        try writer.write(to: dir + "/mixed.pcap")
        let body: [UInt8] = [0x4D, 0x5A] + Array(repeating: 0x90, count: 600)
        try Data(body).write(to: URL(fileURLWithPath: dir + "/body.bin"))
        let sum = try ProcessResult.run("/usr/bin/md5sum", [dir + "/body.bin"])
        return String(sum.stdout.prefix(32))
    }

    @Test("slipsd -r --zeek-logs with the default config: files.log carries MD5, SHA-1 and SHA-256", .timeLimit(.minutes(2)))
    func zeekLogsGetEveryDigest() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let md5 = try mixedCapture(dir)
        try write(config(dir), dir + "/slipsd.yaml")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-c", dir + "/slipsd.yaml", "-r", dir + "/mixed.pcap", "-o", dir + "/out", "--zeek-logs"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try String(contentsOfFile: dir + "/out/zeek/files.log", encoding: .utf8)
        #expect(files.contains("\"md5\":\"\(md5)\""), "\(files)")
        #expect(files.contains("\"sha1\":\"") && files.contains("\"sha256\":\""), "\(files)")
    }

    @Test("slipsd -r with the default config and a local MD5 list: MALICIOUS_DOWNLOADED_FILE", .timeLimit(.minutes(2)))
    func localMD5ListGivesTheDownloadEvidence() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let md5 = try mixedCapture(dir)
        try write("# md5, threat level, description\n\(md5),high,dropper\n", dir + "/ti/own_malicious_md5.csv")
        try write(config(dir), dir + "/slipsd.yaml")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-c", dir + "/slipsd.yaml", "-r", dir + "/mixed.pcap", "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let alerts = try String(contentsOfFile: dir + "/out/alerts/alerts.log", encoding: .utf8)
        #expect(alerts.contains("Malicious downloaded file \(md5)."), "\(alerts)")
    }
}
