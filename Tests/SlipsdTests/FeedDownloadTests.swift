import Foundation
import Testing
@testable import slipsd
import Detect
@testable import Blocker
#if canImport(Glibc)
import Glibc
#endif

/// `slipsd --update-feeds` and `FeedUpdate` against a real HTTP server on loopback (`FeedTestServer`): 200 then
/// 304 without a rewrite, and every failure (500, an oversized body announced or streamed, a body that is not a
/// feed, a timeout) keeping the previous copy with the reason.
@Suite("Feed downloads from a local HTTP server", .serialized, .timeLimit(.minutes(2)),
       .enabled(if: FeedTestServer.isAvailable, "needs python3 for the local HTTP server"))
final class FeedDownloadTests {
    let dir: String
    let cache: String
    let server: FeedTestServer

    init() throws {
        dir = NSTemporaryDirectory() + "slipsd-feeddl-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        cache = dir + "/cache"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        chmod(dir, 0o755); chmod(cache, 0o755)
        server = try FeedTestServer(directory: dir + "/server")
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    static let good = "# test feed\n203.0.113.7\n198.51.100.0/24\nbad.example\n"

    func feed(_ name: String) -> SlipsFeed {
        SlipsFeed(url: server.url(name), threatLevel: .high, tags: ["test"], kind: .iocs)
    }

    func update(_ name: String, timeout: Duration = .seconds(10), maximumBytes: Int = 1 << 20) -> FeedUpdateOutcome {
        let downloader = FeedDownloader(timeout: timeout, maximumBytes: maximumBytes)
        defer { downloader.shutdown() }
        return FeedUpdate(directory: cache, fetcher: downloader).update(feed(name))
    }

    func cached(_ name: String) -> String? { try? String(contentsOfFile: cache + "/" + name, encoding: .utf8) }

    func inode(_ name: String) -> ino_t? {
        var info = stat()
        return stat(cache + "/" + name, &info) == 0 ? info.st_ino : nil
    }

    @Test("200 stores the feed and its validators; the next run sends If-None-Match, gets 304 and leaves the file alone")
    func okThenNotModified() throws {
        try server.serve("list.txt", Self.good)
        let first = update("list.txt")
        #expect(first.status == .replaced(iocs: 3, bytes: Self.good.utf8.count), "\(first.line)")
        #expect(cached("list.txt") == Self.good)
        let validators = try String(contentsOfFile: cache + "/.list.txt.validators", encoding: .utf8)
        #expect(validators.contains("etag \""), "\(validators)")
        #expect(validators.contains("last-modified Wed, 02 Dec 2026 10:00:00 GMT"), "\(validators)")
        let before = inode("list.txt")

        let second = update("list.txt")
        #expect(second.status == .notModified, "\(second.line)")
        #expect(inode("list.txt") == before, "the cached copy was rewritten on a 304")
        let requests = server.requests
        #expect(requests.map(\.status) == [200, 304])
        #expect(requests.first?.ifNoneMatch == "-")
        #expect(requests.last?.ifNoneMatch.hasPrefix("\"") == true, "no If-None-Match sent: \(requests)")
        // No temporary file is left in the cache.
        let names = try FileManager.default.contentsOfDirectory(atPath: cache)
        #expect(names.sorted() == [".list.txt.validators", "list.txt"], "\(names)")

        // A changed feed is downloaded again (the ETag no longer matches) and replaces the copy.
        try server.serve("list.txt", "192.0.2.9\n")
        let third = update("list.txt")
        #expect(third.status == .replaced(iocs: 1, bytes: 10), "\(third.line)")
        #expect(cached("list.txt") == "192.0.2.9\n")
    }

    @Test("a 500 keeps the previous copy and says why")
    func serverErrorKeepsCopy() throws {
        try server.serve("list.txt", Self.good)
        #expect(!update("list.txt").failed)
        try server.set("list.txt", "status", "500")
        let outcome = update("list.txt")
        #expect(outcome.failed)
        #expect(outcome.line.contains("HTTP 500") && outcome.line.contains("keeping the previous copy"), "\(outcome.line)")
        #expect(cached("list.txt") == Self.good)
    }

    @Test("an oversized body is refused, announced by Content-Length or streamed without it")
    func oversizedRefused() throws {
        try server.serve("big.txt", Self.good)
        #expect(!update("big.txt").failed)
        let big = String(repeating: "203.0.113.1\n", count: 200_000)       // 2.4 MB against a 1 MiB cap
        try server.serve("big.txt", big)
        let announced = update("big.txt")
        #expect(announced.failed && announced.line.contains("size cap"), "\(announced.line)")
        try server.set("big.txt", "chunked", "1")
        let streamed = update("big.txt")
        #expect(streamed.failed && streamed.line.contains("size cap"), "\(streamed.line)")
        #expect(cached("big.txt") == Self.good)
        // Under the cap, the streamed body is taken.
        let accepted = update("big.txt", maximumBytes: 4 << 20)
        #expect(accepted.status == .replaced(iocs: 200_000, bytes: big.utf8.count), "\(accepted.line)")
    }

    @Test("a body that is not a feed (an HTML page, binary bytes) is refused; without a previous copy nothing is written")
    func malformedRefused() throws {
        try server.serve("list.txt", Self.good)
        #expect(!update("list.txt").failed)
        try server.serve("list.txt", "<html>\n<head><title>Portal</title></head>\n<body>Log in first</body>\n</html>\n")
        let html = update("list.txt")
        #expect(html.failed && html.line.contains("not a feed"), "\(html.line)")
        #expect(cached("list.txt") == Self.good)

        try Data([0x31, 0x00, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: server.directory + "/files/new.bin"))
        let binary = update("new.bin")
        #expect(binary.failed && binary.line.contains("no previous copy"), "\(binary.line)")
        #expect(cached("new.bin") == nil)
    }

    @Test("a server that does not answer in time is a failure within the timeout; the copy stays")
    func timeout() throws {
        try server.serve("slow.txt", Self.good)
        #expect(!update("slow.txt").failed)
        try server.set("slow.txt", "delay", "5")
        let started = ContinuousClock.now
        let outcome = update("slow.txt", timeout: .seconds(1))
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(outcome.failed && outcome.line.contains("timed out"), "\(outcome.line)")
        #expect(cached("slow.txt") == Self.good)
    }

    @Test("a body dripped one byte per second hits the timeout (connection to last byte); the copy stays")
    func slowDripBody() throws {
        try server.serve("drip.txt", Self.good)
        #expect(!update("drip.txt").failed)
        try server.serve("drip.txt", "# newer\n203.0.113.8\n203.0.113.9\n")
        try server.set("drip.txt", "drip", "1")
        let started = ContinuousClock.now
        let outcome = update("drip.txt", timeout: .seconds(2))
        let took = ContinuousClock.now - started
        #expect(took < .seconds(6), "\(took)")                          // the body alone would take 29 s
        #expect(outcome.failed && outcome.line.contains("timed out"), "\(outcome.line)")
        #expect(cached("drip.txt") == Self.good)
        #expect(server.requests.last?.status == 200)                    // the answer had begun: a body timeout
    }

    @Test("ja4_feeds: a JA4 list is downloaded, accepted as a feed, and loaded with the list's level and tags")
    func ja4Feed() throws {
        let client = "t13d1516h2_8daaf6152771_e5627efa2ab1"
        try server.serve("ja4.csv", "# ja4, description\n\(client),test scanner client\nt13d1715h2_5b57614c22b0_3d5424432f57,other\n")
        let list = dir + "/JA4_feeds.csv"
        try "# URL, threat level, tags\n\(server.url("ja4.csv")),high,['scanner']\n"
            .write(toFile: list, atomically: true, encoding: .utf8)
        chmod(list, 0o644)
        var settings = ThreatIntelSettings()
        settings.localFilesPath = dir + "/none/"
        settings.downloadPath = cache
        settings.ja4Feeds = list
        var messages: [String] = []
        let feeds = ThreatIntelLoader.feeds(settings, messages: &messages)
        try #require(feeds.count == 1 && feeds[0].kind == .ja4, "\(feeds) \(messages)")
        let downloader = FeedDownloader(timeout: .seconds(10), maximumBytes: 1 << 20)
        defer { downloader.shutdown() }
        let outcome = FeedUpdate(directory: cache, fetcher: downloader).update(feeds[0])
        #expect(!outcome.failed && outcome.line.contains("2 IoCs"), "\(outcome.line)")
        let loaded = try ThreatIntelLoader.load(settings, trusted: true)
        let match = loaded.lists.iocs.match(.ja4, client)
        #expect(match?.threatLevel == .high && match?.tags == ["scanner"] && match?.feed == "ja4.csv", "\(loaded.messages)")
        #expect(try ConfigLoader.parse("threatintelligence:\n  ja4_feeds: \(list)\n", file: "x.yaml").threatIntel.ja4Feeds == list)
    }

    @Test("slipsd --update-feeds: one line per feed, exit 1 when one failed, 0 when all are current")
    func command() throws {
        try server.serve("one.txt", Self.good)
        try server.serve("two.netset", "# netset\n10.66.0.0/16\n")
        try server.set("two.netset", "status", "503")
        let list = dir + "/TI_feeds.csv"
        try """
        # URL, threat level, tags
        \(server.url("one.txt")),high,['honeypot']
        \(server.url("two.netset")),medium,['spam']
        """.write(toFile: list, atomically: true, encoding: .utf8)
        let config = dir + "/slipsd.yaml"
        try """
        threatintelligence:
          local_threat_intelligence_files: \(dir)/none/
          download_path_for_remote_threat_intelligence: \(cache)
          ti_files: \(list)
          ja3_feeds:
          ssl_feeds:
          download_timeout: 5
          download_max_mb: 2
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let failing = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["--update-feeds", "-c", config])
        #expect(failing.status == 1, "\(failing.stdout) \(failing.stderr)")
        #expect(failing.stdout.contains("feed one.txt (\(server.url("one.txt"))): updated: 3 IoCs"), "\(failing.stdout)")
        #expect(failing.stderr.contains("feed two.netset") && failing.stderr.contains("HTTP 503"), "\(failing.stderr)")
        #expect(failing.stderr.contains("1 updated, 0 not modified, 1 failed"), "\(failing.stderr)")

        try server.set("two.netset", "status", nil)
        let passing = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["--update-feeds", "-c", config])
        #expect(passing.status == 0, "\(passing.stdout) \(passing.stderr)")
        #expect(passing.stdout.contains("not modified (304)"), "\(passing.stdout)")
        #expect(passing.stdout.contains("1 updated, 1 not modified, 0 failed"), "\(passing.stdout)")
        #expect(cached("two.netset")?.contains("10.66.0.0/16") == true)
    }
}

/// The download policy's pure parts.
@Suite("Feed download policy")
struct FeedUpdatePolicyTests {
    @Test("a body is a feed when it holds indicators and more of them than unreadable lines")
    func bodyCheck() throws {
        #expect(try FeedBodyCheck.check(Array("203.0.113.7\n# c\nbad.example\n".utf8)).get() == 2)
        #expect(throws: FeedBodyCheck.Problem.self) { try FeedBodyCheck.check(Array("# only comments\n".utf8)).get() }
        #expect(throws: FeedBodyCheck.Problem.self) { try FeedBodyCheck.check([0x41, 0x00]).get() }
        #expect(throws: FeedBodyCheck.Problem.self) { try FeedBodyCheck.check([0xff, 0xfe, 0x41]).get() }
    }

    @Test("validators are kept with their URL: another URL under the same name sends none")
    func validatorFile() throws {
        let path = NSTemporaryDirectory() + ".slipsd-validators-\(getpid())"
        defer { unlink(path) }
        let validators = FeedValidators(etag: "\"abc\"", lastModified: "Wed, 02 Dec 2026 10:00:00 GMT")
        try AtomicFileWrite.replace(path, with: Array(FeedValidatorFile.text(validators, url: "http://a/x").utf8))
        #expect(FeedValidatorFile.read(path, url: "http://a/x") == validators)
        #expect(FeedValidatorFile.read(path, url: "http://b/x") == FeedValidators())
    }

    /// A fetcher that answers from a list, for the policy without HTTP.
    struct Scripted: FeedFetching {
        let answer: FeedFetchResult
        func fetch(url: String, validators: FeedValidators) -> FeedFetchResult { answer }
    }

    @Test("two feeds stored under the same file name: the second is not downloaded, and says so")
    func sameFileName() throws {
        let dir = NSTemporaryDirectory() + "slipsd-feedsame-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let update = FeedUpdate(directory: dir, fetcher: Scripted(answer: .body(Array("192.0.2.1\n".utf8), FeedValidators())))
        let outcomes = update.updateAll([SlipsFeed(url: "http://a/list.txt", threatLevel: .low, tags: [], kind: .iocs),
                                         SlipsFeed(url: "http://b/list.txt", threatLevel: .low, tags: [], kind: .iocs)])
        #expect(outcomes.map(\.failed) == [false, true])
        #expect(outcomes[1].line.contains("same file name"))
        let notModifiedWithoutCopy = FeedUpdate(directory: dir, fetcher: Scripted(answer: .notModified))
            .update(SlipsFeed(url: "http://c/other.txt", threatLevel: .low, tags: [], kind: .iocs))
        #expect(notModifiedWithoutCopy.failed)
    }
}

/// `--list-blocked`'s feed section, from a dumped inventory.
@Suite("Feed blocks in --list-blocked")
struct FeedBlockListingTests {
    @Test("entries per feed summed over the sets, then one line per set with its counters and soonest expiry")
    func lines() {
        let inventory = FeedInventory(sets: [
            .init(set: "feedhost4", ranges: 3, rangesPerFeed: ["a.txt": 2, "b.netset": 1], soonestExpiry: .seconds(95),
                  droppedPackets: 17, droppedBytes: 1020),
            .init(set: "feed4", ranges: 1, rangesPerFeed: ["b.netset": 1], soonestExpiry: nil, droppedPackets: 0, droppedBytes: 0),
        ])
        let lines = OperatorCommands.feedBlockLines(inventory, table: "slipsd")
        #expect(lines.contains { $0.hasPrefix("feed blocks (threat-intelligence feeds dropped in table inet slipsd") })
        #expect(lines.contains { $0.hasPrefix("  a.txt ") && $0.hasSuffix(" 2") })
        #expect(lines.contains { $0.hasPrefix("  b.netset ") && $0.hasSuffix(" 2") })
        let host = lines.first { $0.hasPrefix("  feedhost4") }?.split(separator: " ").map(String.init)
        #expect(host == ["feedhost4", "3", "17", "1020", "95s"])
        #expect(lines.first { $0.hasPrefix("  feed4") }?.split(separator: " ").map(String.init) == ["feed4", "1", "0", "0", "-"])
    }
}

/// HTTPS feeds: the certificate is verified (a server the trust store does not vouch for is a failure), and
/// `download_ca_file` adds a private authority.
@Suite("Feed downloads over HTTPS", .serialized, .timeLimit(.minutes(1)),
       .enabled(if: FeedTestServer.isAvailable && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"),
                "needs python3 and openssl"))
struct FeedHTTPSTests {
    @Test("an unknown certificate is refused; with its authority in download_ca_file the feed is stored")
    func verified() throws {
        let dir = NSTemporaryDirectory() + "slipsd-feedtls-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/cache", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o755)
        let made = try ProcessResult.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
            "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        try #require(made.status == 0, "openssl: \(made.stderr)")
        let server = try FeedTestServer(directory: dir + "/server", tls: (dir + "/cert.pem", dir + "/key.pem"))
        defer { server.stop() }
        try server.serve("list.txt", "203.0.113.7\n")
        let feed = SlipsFeed(url: server.url("list.txt"), threatLevel: .high, tags: [], kind: .iocs)
        #expect(feed.url.hasPrefix("https://"))

        let untrusted = FeedDownloader(timeout: .seconds(5), maximumBytes: 1 << 20)
        defer { untrusted.shutdown() }
        let refused = FeedUpdate(directory: dir + "/cache", fetcher: untrusted).update(feed)
        #expect(refused.failed, "\(refused.line)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/cache/list.txt"))

        let trusting = FeedDownloader(timeout: .seconds(5), maximumBytes: 1 << 20, extraTrustRoots: dir + "/cert.pem")
        defer { trusting.shutdown() }
        let stored = FeedUpdate(directory: dir + "/cache", fetcher: trusting).update(feed)
        #expect(stored.status == .replaced(iocs: 1, bytes: 12), "\(stored.line)")
    }
}

/// The download keys of the `threatintelligence:` section.
@Suite("Feed download settings")
struct FeedDownloadSettingsTests {
    @Test("download_timeout, download_max_mb, download_ca_file, blocklist_timeout are read; a timeout not above the period is refused")
    func keys() throws {
        let settings = try ConfigLoader.parse("""
        threatintelligence:
          TI_files_update_period: 10
          download_timeout: 7
          download_max_mb: 3
          download_ca_file: /etc/ssl/feeds.pem
          blocklist_timeout: 120
        """, file: "x.yaml")
        #expect(settings.threatIntel.downloadTimeoutSeconds == 7 && settings.threatIntel.downloadMaxBytes == 3 << 20)
        #expect(settings.threatIntel.downloadCAFile == "/etc/ssl/feeds.pem")
        #expect(settings.threatIntel.blocklistTimeout == .seconds(120))
        #expect(try ConfigLoader.parse("threatintelligence:\n  TI_files_update_period: 100\n", file: "x.yaml")
            .threatIntel.blocklistTimeout == .seconds(3800))
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("threatintelligence:\n  TI_files_update_period: 100\n  blocklist_timeout: 100\n", file: "x.yaml")
        }
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("threatintelligence:\n  download_max_mb: 0\n", file: "x.yaml") }
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("threatintelligence:\n  TI_files_update_period: 5\n", file: "x.yaml") }
    }
}
