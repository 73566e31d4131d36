import NetCore
import Detect
import Blocker
import Synchronization

/// The daemon's threat-intelligence refresh, on a thread of its own, every `TI_files_update_period`: it
/// downloads the listed feeds into the download path when it has a downloader (`download`: the inline daemon's
/// `FeedHelperProcess`, once at start and then every period), re-reads the local files and the feeds in the
/// download path, builds the new lists aside and publishes them to the detector (`ThreatIntelUpdates`:
/// detection never pauses), then brings the kernel feed blocklist to the new lists — only the difference is sent,
/// and every unchanged element's timeout is re-asserted, so a live daemon's list never lapses.
///
/// The thread is created after the privilege drop (it keeps CAP_NET_ADMIN for the netlink messages). Nothing is
/// lost to a bad file: a failed reload keeps the previous lists and says why, and still re-asserts the kernel
/// list's timeouts (a live daemon's list never lapses); a feed that was blocked and now yields no address (its
/// file missing, empty or unreadable) keeps its previous entries, with a line saying so — removing a feed from
/// the blocklist takes a restart.
final class FeedRefresh: Sendable {
    private let settings: ThreatIntelSettings
    private let updates: ThreatIntelUpdates
    private let blocklist: FeedBlocklist?
    private let log: @Sendable (String) -> Void
    private let download: (@Sendable (_ stopRequested: @Sendable () -> Bool) -> [String])?
    private let stopRequested = Atomic<Bool>(false)
    private let refreshes = Atomic<Int>(0)
    /// The feeds last sent to the kernel blocklist, by name (refresh thread only, behind the lock for `Sendable`).
    private let blocked: Mutex<[String: FeedBlockSource]>

    /// - Parameters:
    ///   - blocklist: the kernel feed blocklist, nil when no feed is marked for blocking.
    ///   - log: receives one line per refresh and per refused entry (any thread).
    ///   - loadedAtStart: the feeds the start-up loaded into the blocklist.
    ///   - download: brings the download path up to date before each reload (its lines are logged); nil: the
    ///     files there are reloaded as they are.
    init(settings: ThreatIntelSettings, updates: ThreatIntelUpdates, blocklist: FeedBlocklist?,
         loadedAtStart: [FeedBlockSource] = [],
         download: (@Sendable (_ stopRequested: @Sendable () -> Bool) -> [String])? = nil,
         log: @escaping @Sendable (String) -> Void) {
        self.download = download
        self.settings = settings
        self.updates = updates
        self.blocklist = blocklist
        self.log = log
        blocked = Mutex(Dictionary(loadedAtStart.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last }))
    }

    /// One refresh now, on the calling thread.
    /// - Returns: false when the files could not be read (the previous lists stay).
    @discardableResult
    func refreshNow() -> Bool {
        if let download {
            for line in download({ [self] in stopRequested.load(ordering: .relaxed) }) { log(line) }
            if stopRequested.load(ordering: .relaxed) { return false }
        }
        let loaded: ThreatIntelLoader.Loaded
        do {
            loaded = try ThreatIntelLoader.load(settings, trusted: true)
        } catch {
            var line = "threat intelligence refresh: keeping the previous lists: \(error)"
            if let blocklist {
                let previous = blocked.withLock { Array($0.values) }
                do {
                    _ = try blocklist.update(previous, timeout: settings.blocklistTimeout)
                    line += "; the kernel blocklist's timeouts re-asserted"
                } catch {
                    line += "; re-asserting the kernel blocklist failed: \(error)"
                }
            }
            log(line)
            return false
        }
        for message in loaded.messages { log(message) }
        let count = loaded.lists.iocs.count
        updates.publish(loaded.lists)
        var line = "threat intelligence refresh: \(count) IoCs published to the detector"
        if let blocklist {
            let sources = blocked.withLock { previous in
                var byName = Dictionary(loaded.blockSources.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
                for (name, source) in previous where byName[name]?.ranges.isEmpty ?? true {
                    log("threat intelligence refresh: feed \(name) gave no address this time (missing, empty or unreadable): keeping its \(source.ranges.count) blocklist entries")
                    byName[name] = source
                }
                previous = byName
                return Array(byName.values)
            }
            do {
                let report = try blocklist.update(sources, timeout: settings.blocklistTimeout)
                for refused in report.refused { log(refused) }
                line += "; " + report.summary
            } catch {
                line += "; the kernel blocklist was not updated: \(error)"
            }
        }
        log(line)
        refreshes.add(1, ordering: .relaxed)
        return true
    }

    /// Starts the thread: a refresh every `period` (default `TI_files_update_period`) until `stop`; with a
    /// downloader, the first one at once (the feeds are fetched at start, not a period later).
    func start(period: Duration? = nil) throws -> OSThread {
        let milliseconds = Int((period ?? .seconds(settings.updatePeriodSeconds)).components.seconds * 1000
                               + (period ?? .zero).components.attoseconds / 1_000_000_000_000_000)
        return try OSThread.spawn(name: "slipsd-feeds") { [self] in
            if download != nil { refreshNow() }
            while !stopRequested.load(ordering: .relaxed) {
                var waited = 0
                while waited < milliseconds, !stopRequested.load(ordering: .relaxed) {
                    let step = min(200, milliseconds - waited)
                    MonotonicClock.sleep(milliseconds: step)
                    waited += step
                }
                if stopRequested.load(ordering: .relaxed) { break }
                refreshNow()
            }
        }
    }

    /// Asks the thread to end (within 200 ms); join the thread `start` returned.
    func stop() { stopRequested.store(true, ordering: .relaxed) }
}
