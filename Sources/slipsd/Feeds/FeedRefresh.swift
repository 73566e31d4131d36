import NetCore
import Detect
import Blocker
import Synchronization

/// The daemon's threat-intelligence refresh, on a thread of its own, every `TI_files_update_period`: it
/// re-reads the local files and the feeds in the download path (kept current by `slipsd update-feeds`, e.g. from
/// a systemd timer), builds the new lists aside and publishes them to the detector (`ThreatIntelUpdates`:
/// detection never pauses), then brings the kernel feed blocklist to the new lists — only the difference is sent,
/// and every unchanged element's timeout is re-asserted, so a live daemon's list never lapses.
///
/// The thread is created after the privilege drop (it keeps CAP_NET_ADMIN for the netlink messages). A failed
/// reload keeps the previous lists and says why.
final class FeedRefresh: Sendable {
    private let settings: ThreatIntelSettings
    private let updates: ThreatIntelUpdates
    private let blocklist: FeedBlocklist?
    private let log: @Sendable (String) -> Void
    private let stopRequested = Atomic<Bool>(false)
    private let refreshes = Atomic<Int>(0)

    /// - Parameters:
    ///   - blocklist: the kernel feed blocklist, nil when no feed is marked for blocking.
    ///   - log: receives one line per refresh and per refused entry (any thread).
    init(settings: ThreatIntelSettings, updates: ThreatIntelUpdates, blocklist: FeedBlocklist?,
         log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.updates = updates
        self.blocklist = blocklist
        self.log = log
    }

    /// Refreshes completed so far.
    var completed: Int { refreshes.load(ordering: .relaxed) }

    /// One refresh now, on the calling thread.
    /// - Returns: false when the files could not be read (the previous lists stay).
    @discardableResult
    func refreshNow() -> Bool {
        let loaded: ThreatIntelLoader.Loaded
        do {
            loaded = try ThreatIntelLoader.load(settings, trusted: true)
        } catch {
            log("threat intelligence refresh: keeping the previous lists: \(error)")
            return false
        }
        let count = loaded.lists.iocs.count
        updates.publish(loaded.lists)
        var line = "threat intelligence refresh: \(count) IoCs published to the detector"
        if let blocklist {
            do {
                let report = try blocklist.update(loaded.blockSources, timeout: settings.blocklistTimeout)
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

    /// Starts the thread: a refresh every `period` (default `TI_files_update_period`) until `stop`.
    func start(period: Duration? = nil) throws -> OSThread {
        let milliseconds = Int((period ?? .seconds(settings.updatePeriodSeconds)).components.seconds * 1000
                               + (period ?? .zero).components.attoseconds / 1_000_000_000_000_000)
        return try OSThread.spawn(name: "slipsd-feeds") { [self] in
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
