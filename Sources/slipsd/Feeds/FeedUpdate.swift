import Detect
import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// What downloading one feed did, and the line that says so.
struct FeedUpdateOutcome: Sendable, Equatable {
    /// What happened to the cached copy.
    enum Status: Sendable, Equatable {
        /// A new copy replaced the cache: the IoCs it holds and its size.
        case replaced(iocs: Int, bytes: Int)
        /// The server said 304: the cached copy is current.
        case notModified
        /// The download failed or was refused: the previous copy (if any) stays. Why.
        case kept(String)
    }

    /// The feed.
    var feed: SlipsFeed
    /// What happened.
    var status: Status

    /// True when the feed could not be brought up to date.
    var failed: Bool { if case .kept = status { return true } else { return false } }

    /// One line: the feed, its URL and what happened.
    var line: String {
        let head = "feed \(feed.fileName) (\(feed.url)): "
        switch status {
        case .replaced(let iocs, let bytes): return head + "updated: \(iocs) IoCs, \(bytes) bytes"
        case .notModified: return head + "not modified (304): cached copy kept"
        case .kept(let why): return head + "FAILED: \(why)"
        }
    }
}

/// The policy of a feed download, apart from HTTP (`FeedFetching`): the cached copy's validators are sent, a
/// 304 leaves the cache alone, a 200 body is parsed with `FeedParser` (the format the loader will detect) and
/// written to a temporary file in the cache directory, then renamed over the cached copy — so a reader sees the
/// old copy or the new one, never a part. A failed, oversized or malformed download keeps the previous copy and
/// says why. Validators are kept beside the copy in `.NAME.validators` (names starting with a dot are not
/// loaded as feeds), with the URL they belong to.
struct FeedUpdate: Sendable {
    /// The cache directory (`download_path_for_remote_threat_intelligence`).
    let directory: String
    /// Who performs the GETs.
    let fetcher: any FeedFetching

    /// Updates every feed, in order; a file name claimed by two feeds is downloaded once (the first), as the
    /// loader reads it.
    func updateAll(_ feeds: [SlipsFeed]) -> [FeedUpdateOutcome] {
        var seen: Set<String> = []
        var outcomes: [FeedUpdateOutcome] = []
        for feed in feeds {
            guard seen.insert(feed.fileName).inserted else {
                outcomes.append(FeedUpdateOutcome(feed: feed, status: .kept(
                    "another feed list entry is stored under the same file name \(feed.fileName): not downloaded")))
                continue
            }
            outcomes.append(update(feed))
        }
        return outcomes
    }

    /// Downloads one feed and replaces its cached copy when the new one is sound.
    func update(_ feed: SlipsFeed) -> FeedUpdateOutcome {
        let path = directory + "/" + feed.fileName
        let validatorsPath = directory + "/." + feed.fileName + ".validators"
        let hasCopy = access(path, F_OK) == 0
        let previous = hasCopy ? FeedValidatorFile.read(validatorsPath, url: feed.url) : FeedValidators()
        let keeping = hasCopy ? "keeping the previous copy" : "no previous copy"
        switch fetcher.fetch(url: feed.url, validators: previous) {
        case .notModified:
            guard hasCopy else {
                return FeedUpdateOutcome(feed: feed, status: .kept("304 without a cached copy; \(keeping)"))
            }
            return FeedUpdateOutcome(feed: feed, status: .notModified)
        case .tooLarge(let limit):
            return FeedUpdateOutcome(feed: feed, status: .kept("larger than the size cap (\(limit) bytes); \(keeping)"))
        case .failed(let why):
            return FeedUpdateOutcome(feed: feed, status: .kept("\(why); \(keeping)"))
        case .body(let bytes, let validators):
            switch FeedBodyCheck.check(bytes) {
            case .failure(let problem):
                return FeedUpdateOutcome(feed: feed, status: .kept("not a feed: \(problem.reason); \(keeping)"))
            case .success(let iocs):
                do {
                    try AtomicFileWrite.replace(path, with: bytes)
                } catch {
                    return FeedUpdateOutcome(feed: feed, status: .kept("\(error); \(keeping)"))
                }
                // Without validators the next download is unconditional: no harm if this write fails.
                if validators.etag == nil && validators.lastModified == nil {
                    unlink(validatorsPath)
                } else {
                    try? AtomicFileWrite.replace(validatorsPath,
                                                 with: Array(FeedValidatorFile.text(validators, url: feed.url).utf8))
                }
                return FeedUpdateOutcome(feed: feed, status: .replaced(iocs: iocs, bytes: bytes.count))
            }
        }
    }
}

/// Whether a downloaded body is a feed the loader can use: UTF-8 text without NUL bytes, in which `FeedParser`
/// (with the format `FeedFormat.detect` picks, as the loader does) finds at least one indicator, and no more
/// unreadable lines than indicators (an HTML error page served with 200 is not a feed).
enum FeedBodyCheck {
    /// Why a body was refused.
    struct Problem: Error, Equatable {
        var reason: String
    }

    /// The number of indicators in `bytes`, or why it is refused.
    static func check(_ bytes: [UInt8]) -> Result<Int, Problem> {
        if bytes.contains(0) { return .failure(Problem(reason: "binary content (NUL bytes)")) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(Problem(reason: "not UTF-8 text"))
        }
        let format = FeedFormat.detect(firstLines: text.split(separator: "\n", maxSplits: 20).prefix(20).map { $0 })
        var count = 0
        let result = FeedParser(format: format).parse(text) { _ in count += 1 }
        let first = result.firstProblems.first.map { " (line \($0.line): \($0.reason))" } ?? ""
        if count == 0 {
            return .failure(Problem(reason: result.rejectedLines == 0 ? "no indicator in it"
                                    : "no indicator in it, \(result.rejectedLines) lines not read\(first)"))
        }
        if result.rejectedLines > count {
            return .failure(Problem(reason: "\(result.rejectedLines) lines not read against \(count) indicators\(first)"))
        }
        return .success(count)
    }
}

/// The validators file beside a cached feed: `url …`, `etag …`, `last-modified …`, one a line.
enum FeedValidatorFile {
    /// The validators stored for `url`; none when the file is missing, unreadable or for another URL.
    static func read(_ path: String, url: String) -> FeedValidators {
        guard let text = try? TextFile.read(path, limit: 16 << 10) else { return FeedValidators() }
        var stored = FeedValidators()
        var storedURL: String?
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let value = String(line[line.index(after: space)...])
            switch line[..<space] {
            case "url": storedURL = value
            case "etag": stored.etag = value
            case "last-modified": stored.lastModified = value
            default: continue
            }
        }
        return storedURL == url ? stored : FeedValidators()
    }

    /// The file's text for `validators` of `url`.
    static func text(_ validators: FeedValidators, url: String) -> String {
        var text = "url \(url)\n"
        if let etag = validators.etag { text += "etag \(etag)\n" }
        if let date = validators.lastModified { text += "last-modified \(date)\n" }
        return text
    }
}
