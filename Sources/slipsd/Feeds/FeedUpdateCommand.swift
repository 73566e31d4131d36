#if canImport(Glibc)
import Glibc
#endif

/// `slipsd --update-feeds`: downloads every feed of `ti_files`, `ja3_feeds` and `ssl_feeds` into
/// `download_path_for_remote_threat_intelligence` (`FeedUpdate`), one line per feed; exit status 1 when any
/// feed failed, 2 when nothing could be tried (no download path, an untrusted one, no feed list).
enum FeedUpdateCommand {
    /// How one pass went.
    struct Pass: Sendable, Equatable {
        /// Every feed's outcome, in list order.
        var outcomes: [FeedUpdateOutcome] = []
        /// Lines about the feed lists (unreadable lines, untrusted lists).
        var messages: [String] = []
        /// Set when nothing could be tried: why.
        var fatal: String? = nil

        /// Feeds that failed.
        var failed: Int { outcomes.filter(\.failed).count }
        /// The process exit status of `--update-feeds`.
        var exitStatus: Int32 { fatal != nil ? 2 : failed > 0 ? 1 : 0 }
        /// The closing line.
        var summary: String {
            if let fatal { return "update-feeds: \(fatal)" }
            let replaced = outcomes.filter { if case .replaced = $0.status { true } else { false } }.count
            return "update-feeds: \(outcomes.count) feeds: \(replaced) updated, "
                + "\(outcomes.count - replaced - failed) not modified, \(failed) failed"
        }
    }

    /// The command: a downloader with the configured timeout and size cap, one pass, its lines on stdout.
    static func run(_ settings: ThreatIntelSettings) -> Int32 {
        let downloader = FeedDownloader(timeout: .seconds(settings.downloadTimeoutSeconds),
                                        maximumBytes: settings.downloadMaxBytes,
                                        extraTrustRoots: settings.downloadCAFile)
        defer { downloader.shutdown() }
        let pass = self.pass(settings, fetcher: downloader)
        for line in pass.messages { Console.error("slipsd: \(line)") }
        for outcome in pass.outcomes { (outcome.failed ? Console.error : Console.out)(outcome.line) }
        (pass.exitStatus == 0 ? Console.out : Console.error)(pass.summary)
        return pass.exitStatus
    }

    /// One pass over every listed feed with `fetcher` (the daemon's refresh and the tests call this).
    static func pass(_ settings: ThreatIntelSettings, fetcher: any FeedFetching) -> Pass {
        var pass = Pass()
        let directory: String
        switch downloadDirectory(settings) {
        case .failure(let refusal): pass.fatal = refusal.reason; return pass
        case .success(let path): directory = path
        }
        if let authorities = settings.downloadCAFile, let problem = TrustedPath.problem(with: authorities) {
            pass.fatal = "download_ca_file \(authorities) refused: \(problem) (it decides which servers are believed)"
            return pass
        }
        let feeds = ThreatIntelLoader.feeds(settings, trusted: true, messages: &pass.messages)
        if feeds.isEmpty {
            pass.fatal = "no feed to download (ti_files, ja3_feeds, ssl_feeds list none, or cannot be read)"
            return pass
        }
        pass.outcomes = FeedUpdate(directory: directory, fetcher: fetcher).updateAll(feeds)
        return pass
    }

    /// Why nothing could be tried.
    struct Refusal: Error, Equatable {
        var reason: String
    }

    /// The cache directory, created (0755) when missing; refused when another user could change it (the loader
    /// would refuse its files anyway).
    static func downloadDirectory(_ settings: ThreatIntelSettings) -> Result<String, Refusal> {
        guard var path = settings.downloadPath, !path.isEmpty else {
            return .failure(Refusal(reason: "download_path_for_remote_threat_intelligence is not set: nowhere to store the feeds"))
        }
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if access(path, F_OK) != 0, mkdir(path, 0o755) != 0 {
            return .failure(Refusal(reason: "cannot create the download directory \(path): \(String(cString: strerror(errno)))"))
        }
        if let problem = TrustedPath.problem(with: path) {
            return .failure(Refusal(reason: "download directory \(path) refused: \(problem)"))
        }
        return .success(path)
    }
}
