import Detect

/// The `threatintelligence:` section, with Slips' keys and meanings. slipsd reads the local files and the feeds
/// already in the download path; it does not download (yet), so the feed lists and the period are read and
/// validated only.
struct ThreatIntelSettings: Sendable, Equatable {
    /// `local_threat_intelligence_files`: the folder of Slips' local files (`own_malicious_iocs.csv`,
    /// `own_malicious_JA3.csv`, `own_malicious_JARM.csv`, `known_fp_md5_hashes.csv`). Slips' default.
    var localFilesPath = "config/local_ti_files/"
    /// `download_path_for_remote_threat_intelligence`: where downloaded feeds are kept; files found there are
    /// loaded (format detected from their first lines). nil: none.
    var downloadPath: String? = nil
    /// `ti_files`, `ja3_feeds`, `ssl_feeds`: Slips' feed lists (`URL, threat level, tags`).
    var tiFiles: String? = nil
    var ja3Feeds: String? = nil
    var sslFeeds: String? = nil
    /// `TI_files_update_period` in seconds (Slips: 86400).
    var updatePeriodSeconds = 86_400.0

    // slipsd's additions: kernel blocklists and downloads.
    /// `block_feeds`: feeds whose addresses and networks are dropped in the kernel (nftables interval sets
    /// `feed4`/`feed6`), by file name in the download path (`firehol_level1.netset`), by URL, or a local file name.
    var blockFeeds: [String] = []
    /// `block_min_threat_level`: also drop every feed (by its level in the feed list) and every local IoC line
    /// at or above this level; nil (`none`): only `block_feeds`.
    var blockMinThreatLevel: ThreatLevel? = nil

    /// True when any feed is to be dropped in the kernel.
    var blocksFeeds: Bool { !blockFeeds.isEmpty || blockMinThreatLevel != nil }

    /// The element timeout of the kernel blocklist: two refresh periods plus an hour, so a live daemon's
    /// refresh always comes first and a dead daemon's list lapses by itself.
    var blocklistTimeout: Duration { .seconds(Int64(updatePeriodSeconds * 2) + 3600) }

    /// Slips' defaults.
    init() {}
}
