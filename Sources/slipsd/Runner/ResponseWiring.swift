import Capture
import Blocker
import Detect
import NetCore

/// Builds the response stage from the settings (nftables blocker with self-protection, drop set, grace period,
/// blocking policy) and connects it to the detection engine's alerts. Used by `--inline` and `-i … -p`.
enum ResponseWiring {
    /// The stage and the set-up lines to log.
    struct Built {
        let stage: ResponseStage
        let messages: [String]
        /// The state file, restored once the kernel's existing blocks are learned (`KernelBlockLearning`).
        let journal: BlockJournal?
        /// The kernel feed blocklist, when `threatintelligence` marks feeds for blocking.
        var feeds: FeedBlocklist? = nil
    }

    /// Creates (or adopts) the nftables table and the response stage. Existing blocks are not listed here (a
    /// million take seconds to dump): start `KernelBlockLearning` once inspection runs.
    /// - Parameter report: receives every blocking decision (slipsd.log).
    /// - Throws: `BlockerError` when the table cannot be set up or listed.
    /// The allowlist is the stage's (replaceable on reload), not the blocker's: the blocker protects the
    /// gateway's own addresses, routes and resolvers.
    /// - Parameter whitelist: whitelisted hosts, never blocked either.
    /// - Parameter daemonUser: the user the daemon runs as after the privilege drop (owns the state file).
    /// Blocks of the state file are restored here without listing the kernel (`BlockJournal.restoreWithoutListing`).
    /// - Parameter feedSources: the feeds to drop in the kernel (loaded into `FeedBlocklist` here, once).
    static func make(settings: SlipsdSettings, whitelist: Whitelist = Whitelist(), daemonUser: String? = nil,
                     feedSources: [FeedBlockSource] = [],
                     report: @escaping (String) -> Void) throws -> Built {
        let blocker = try NftablesBlocker(configuration: configuration(settings),
                                          protection: SelfProtection(sources: protectionSources(settings)))
        let setUp = try blocker.setUp()
        var messages = ["nftables table inet \(settings.blocking.table) \(setUp.adopted ? "adopted (existing blocks kept)" : "created")"]
        messages += blocker.protection?.warnings ?? []
        let (journal, journalLines) = Self.journal(settings: settings, daemonUser: daemonUser, create: true)
        messages += journalLines
        let stage = ResponseStage(blocker: blocker, drops: DropSet(),
                                  grace: UnblockGrace(seconds: settings.blocking.unblockGraceSeconds),
                                  policy: policy(settings), allowlist: allowlist(settings, whitelist: whitelist),
                                  journal: journal, report: report)
        if let journal { messages += journal.restoreWithoutListing(into: stage).lines }
        var feeds: FeedBlocklist?
        if settings.threatIntel.blocksFeeds {
            let blocklist = try feedBlocklist(settings: settings, whitelist: whitelist)
            let loaded = try blocklist.update(feedSources, timeout: settings.threatIntel.blocklistTimeout)
            messages += loaded.refused + [loaded.summary]
            feeds = blocklist
        }
        return Built(stage: stage, messages: messages, journal: journal, feeds: feeds)
    }

    /// The kernel feed blocklist of the settings: the blocker's table, self-protection with `blocking.allowlist`
    /// and the whitelist's networks and addresses (a feed never cuts off what the operator trusts).
    static func feedBlocklist(settings: SlipsdSettings, whitelist: Whitelist = Whitelist()) throws -> FeedBlocklist {
        let trusted = settings.blocking.allowlist.compactMap(CIDR.init) + whitelist.networks
            + whitelist.addresses.sorted().map { CIDR(host: $0) }
        return try FeedBlocklist(tableName: settings.blocking.table,
                                 protection: SelfProtection(allowlist: trusted, sources: protectionSources(settings)))
    }

    /// The policy of `blocking.duration`, `blocking.escalate`, `blocking.max_duration`,
    /// `blocking.unverified_alerts`.
    static func policy(_ settings: SlipsdSettings) -> BlockingPolicy {
        BlockingPolicy(fixedSeconds: settings.blocking.durationSeconds, escalate: settings.blocking.escalate,
                       maxSeconds: settings.blocking.maxDurationSeconds,
                       unverifiedScope: settings.blocking.unverifiedScope)
    }

    /// The hosts the stage never blocks: `blocking.allowlist`, then the whitelist's addresses and networks.
    static func allowlist(_ settings: SlipsdSettings, whitelist: Whitelist) -> [ResponseStage.AllowedRange] {
        settings.blocking.allowlist.compactMap(CIDR.init).map { .init(range: $0, reason: "is in allowlist \($0)") }
            + whitelist.addresses.sorted().map { .init(range: CIDR(host: $0), reason: "is whitelisted") }
            + whitelist.networks.map { .init(range: $0, reason: "is in whitelisted network \($0)") }
    }

    /// The nftables blocker of the settings, with self-protection (`blocking.allowlist` plus the gateway's own
    /// addresses, routes and resolvers). Opens the netlink socket; changes nothing in the kernel.
    /// - Throws: `BlockerError` when the netlink socket cannot be opened.
    static func blocker(settings: SlipsdSettings) throws -> NftablesBlocker {
        let protection = SelfProtection(allowlist: settings.blocking.allowlist.compactMap(CIDR.init),
                                        sources: protectionSources(settings))
        return try NftablesBlocker(configuration: configuration(settings), protection: protection)
    }

    /// The nftables layout of the settings: `blocking.table`, `blocking.reverse_path_check`.
    static func configuration(_ settings: SlipsdSettings) -> NftablesBlocker.Configuration {
        .init(tableName: settings.blocking.table, reversePathCheck: settings.blocking.reversePathCheck,
              feedBlocklists: settings.threatIntel.blocksFeeds)
    }

    /// Where self-protection reads the gateway's addresses (`blocking.protect_connected_subnets` adds the
    /// directly connected subnets).
    static func protectionSources(_ settings: SlipsdSettings) -> SelfProtection.Sources {
        var sources = SelfProtection.Sources()
        sources.connectedSubnets = settings.blocking.protectConnectedSubnets
        return sources
    }

    /// Sends every alert of `engine` to `stage` (both confined to the detection thread).
    static func connect(_ engine: DetectionEngine, to stage: ResponseStage, windowWidthSeconds: Double) {
        let width = Int64(windowWidthSeconds * 1_000_000)
        engine.onAlert = { alert in stage.execute(BlockRequest(alert: alert, windowWidthMicroseconds: width)) }
    }
}

extension BlockRequest {
    /// The request an alert makes: block its profile's IP, for the reason of its evidence types.
    init(alert: Alert, windowWidthMicroseconds: Int64) {
        self.init(address: alert.profile.ip, alertID: alert.id, reason: alert.evidenceTypes,
                  alertTime: alert.timestamp,
                  windowEnd: alert.timeWindow.end.microseconds == .max ? nil : alert.timeWindow.end,
                  windowWidthMicroseconds: windowWidthMicroseconds, verified: alert.verified)
    }
}

extension DropSet.Reader: BlockedHostFilter {}
