import Detect
import Blocker
import NetCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loads the IoC lists of the `threatintelligence:` section into `ThreatIntelLists` at start-up: Slips' local
/// files by Slips' names in `local_threat_intelligence_files` (and slipsd's `own_malicious_JA3S.csv`,
/// `own_malicious_md5.csv` beside them), then every file already in `download_path_for_remote_threat_intelligence`.
/// A missing folder or file is one log line, not an error; a file another user could write is refused, as for
/// the whitelist (`TrustedPath`).
enum ThreatIntelLoader {
    /// What was loaded, and one line per file for slipsd.log.
    struct Loaded {
        var lists = ThreatIntelLists()
        var messages: [String] = []
        /// The feeds (and local files) marked for blocking, with their addresses and networks
        /// (`block_feeds`, `block_min_threat_level`): what `FeedBlocklist` loads into the kernel.
        var blockSources: [FeedBlockSource] = []
    }

    /// Slips' local file names and their formats (both JARM spellings occur in Slips' trees).
    static let localFiles: [(name: String, format: FeedFormat)] = [
        ("own_malicious_iocs.csv", .slipsLocalIoCs),
        ("own_malicious_JA3.csv", .slipsFingerprints(.ja3)),
        ("own_malicious_JA3S.csv", .slipsFingerprints(.ja3s)),
        ("own_malicious_JA4.csv", .slipsFingerprints(.ja4)),
        ("own_malicious_JARM.csv", .slipsFingerprints(.jarm)),
        ("own_malicious_jarm.csv", .slipsFingerprints(.jarm)),
        ("own_malicious_md5.csv", .slipsFingerprints(.md5)),
    ]
    /// Slips' known false-positive MD5 file.
    static let falsePositiveFile = "known_fp_md5_hashes.csv"

    /// - Parameter trusted: refuse files another user could write, as root must.
    /// - Throws: `SlipsdError` for an untrusted file, `SystemError` for a file that exists but cannot be read.
    static func load(_ settings: ThreatIntelSettings, trusted: Bool) throws -> Loaded {
        var loaded = Loaded()
        let feeds = feedLists(settings, trusted: trusted, messages: &loaded.messages)
        let folder = withoutTrailingSlash(settings.localFilesPath)
        if isDirectory(folder) {
            for (name, format) in localFiles {
                if let line = try add(folder + "/" + name, format: format, into: &loaded.lists.iocs, trusted: trusted,
                                      level: .medium, settings: settings, blocking: &loaded.blockSources) {
                    loaded.messages.append(line)
                }
            }
            var none: [FeedBlockSource] = []
            if let line = try add(folder + "/" + falsePositiveFile, format: .knownFalsePositiveMD5,
                                  into: &loaded.lists.knownFalsePositiveMD5, trusted: trusted, level: .medium,
                                  settings: ThreatIntelSettings(), blocking: &none) {
                loaded.messages.append(line)
            }
        } else {
            loaded.messages.append("threat intelligence: no local files (\(folder) is not a directory)")
        }
        if let download = settings.downloadPath.map(withoutTrailingSlash) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: download)) ?? []
            if names.isEmpty { loaded.messages.append("threat intelligence: no downloaded feeds in \(download)") }
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = download + "/" + name
                guard !isDirectory(path) else { continue }
                let feed = feeds[name]
                if let line = try add(path, format: nil, into: &loaded.lists.iocs, trusted: trusted,
                                      level: feed?.threatLevel ?? .medium, tags: feed?.tags ?? [], url: feed?.url,
                                      settings: settings, blocking: &loaded.blockSources) {
                    loaded.messages.append(line)
                }
            }
        }
        if loaded.lists.iocs.asnCount > 0 {
            loaded.lists.asnOfAddress = asnLookup(settings.asnDatabase, trusted: trusted, messages: &loaded.messages)
        }
        return loaded
    }

    /// The ASN of an address from `asn_database`, nil (with one line saying why) when the file is absent,
    /// another user could change it, or it is no MaxMind DB.
    static func asnLookup(_ path: String, trusted: Bool,
                          messages: inout [String]) -> (@Sendable (IPAddress) -> UInt32?)? {
        let skipped = "threat intelligence: ASN IoCs are not matched:"
        guard !path.isEmpty, access(path, F_OK) == 0 else {
            messages.append("\(skipped) no ASN database at \(path.isEmpty ? "(none)" : path) (asn_database)")
            return nil
        }
        if trusted, let problem = TrustedPath.problem(with: path) {
            messages.append("\(skipped) \(path) not read: \(problem) (slipsd reads only files that no other user can change)")
            return nil
        }
        do {
            let database = try ASNDatabase(path: path)
            messages.append("threat intelligence: ASNs from \(path) (\(database.type))")
            return { database.number(of: $0) }
        } catch {
            messages.append("\(skipped) \(error)")
            return nil
        }
    }

    /// Adds one file (format detected from its first lines when nil); a missing file is skipped silently.
    /// - Returns: the line for slipsd.log, nil when there is no such file.
    private static func add(_ path: String, format: FeedFormat?, into index: inout ThreatIntelIndex,
                            trusted: Bool, level: ThreatLevel, tags: [String] = [], url: String? = nil,
                            settings: ThreatIntelSettings, blocking: inout [FeedBlockSource]) throws -> String? {
        guard access(path, F_OK) == 0 else { return nil }
        if trusted, let problem = TrustedPath.problem(with: path) {
            throw SlipsdError("reading threat-intelligence file", object: path,
                              reason: "not read: \(problem) (slipsd reads only files that no other user can change)")
        }
        let text = try ConfigLoader.readFile(path)
        let name = String(path.split(separator: "/").last ?? Substring(path))
        let chosen = format ?? FeedFormat.detect(firstLines: text.split(separator: "\n", maxSplits: 20).prefix(20).map { $0 })
        let before = index.count
        let source = IoCSource(feed: name, threatLevel: level, tags: format == nil ? tags : ["local TI file"])
        let result = index.add(feed: text, format: chosen, from: source)
        var line = "threat intelligence: \(index.count - before) IoCs from \(path)"
        if result.rejectedLines > 0 {
            line += ", \(result.rejectedLines) lines not read"
            if let first = result.firstProblems.first { line += " (line \(first.line): \(first.reason))" }
        }
        let named = settings.blockFeeds.contains(name) || url.map(settings.blockFeeds.contains) == true
        if named || settings.blockMinThreatLevel != nil {
            let (networks, _) = FeedNetworks.collect(text, format: chosen, feedLevel: level,
                                                     minimum: named ? nil : settings.blockMinThreatLevel)
            if !networks.isEmpty {
                blocking.append(FeedBlockSource(name: name, ranges: networks))
                line += "; \(networks.count) addresses/networks marked for the kernel blocklist"
            }
        }
        return line
    }

    /// The feeds of `ti_files`, `ja3_feeds` and `ssl_feeds` by the file name they are stored under; a list that
    /// cannot be read is one message.
    /// A list another user could have changed is not read (its threat levels decide kernel drops).
    static func feedLists(_ settings: ThreatIntelSettings, trusted: Bool = true,
                          messages: inout [String]) -> [String: SlipsFeed] {
        var byName: [String: SlipsFeed] = [:]
        for feed in feeds(settings, trusted: trusted, messages: &messages) where byName[feed.fileName] == nil {
            byName[feed.fileName] = feed
        }
        return byName
    }

    /// The feeds of `ti_files`, `ja3_feeds`, `ssl_feeds` and `ja4_feeds`, in that order and in file order (what
    /// `slipsd --update-feeds` downloads); a list that cannot be read or is not trusted is one message.
    static func feeds(_ settings: ThreatIntelSettings, trusted: Bool = true,
                      messages: inout [String]) -> [SlipsFeed] {
        var all: [SlipsFeed] = []
        for (path, kind) in [(settings.tiFiles, SlipsFeedList.Kind.iocs), (settings.ja3Feeds, .ja3), (settings.sslFeeds, .ssl),
                            (settings.ja4Feeds, .ja4)] {
            guard let path, !path.isEmpty, access(path, F_OK) == 0 else { continue }   // absent: no levels from it
            if trusted, let problem = TrustedPath.problem(with: path) {
                messages.append("threat intelligence: feed list \(path) not read: \(problem) (slipsd reads only files that no other user can change)")
                continue
            }
            guard let text = try? ConfigLoader.readFile(path) else {
                messages.append("threat intelligence: feed list \(path) (\(kind.rawValue)) cannot be read")
                continue
            }
            let (feeds, problems) = SlipsFeedList.parse(text, kind: kind)
            for problem in problems.prefix(5) { messages.append("threat intelligence: \(path) \(problem)") }
            all += feeds
        }
        return all
    }

    private static func withoutTrailingSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
