import Detect

/// The `threatintelligence:` section, with Slips' keys and meanings. slipsd reads the local files and the feeds
/// in the download path; `slipsd --update-feeds` (and the inline daemon every `TI_files_update_period`)
/// downloads the feeds of the feed lists into it.
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
    /// `ja4_feeds`: slipsd's addition, a feed list in the same shape for JA4 fingerprint lists.
    var ja4Feeds: String? = nil
    /// `TI_files_update_period` in seconds (Slips: 86400).
    var updatePeriodSeconds = 86_400.0

    // slipsd's additions: kernel blocklists and downloads.
    /// `asn_database`: the MaxMind DB file giving flow addresses their AS number for ASN IoCs (Slips reads
    /// `databases/GeoLite2-ASN.mmdb`, its default here). Opened only when ASN IoCs are loaded; absent or
    /// unreadable: one log line and no ASN matching.
    var asnDatabase = "databases/GeoLite2-ASN.mmdb"
    /// `block_feeds`: feeds whose addresses and networks are dropped in the kernel (nftables interval sets
    /// `feed4`/`feed6`), by file name in the download path (`firehol_level1.netset`), by URL, or a local file name.
    var blockFeeds: [String] = []
    /// `block_min_threat_level`: also drop every feed (by its level in the feed list) and every local IoC line
    /// at or above this level; nil (`none`): only `block_feeds`.
    var blockMinThreatLevel: ThreatLevel? = nil

    /// `download_timeout`: seconds one feed download may take, connection to last byte (`--update-feeds` and
    /// the daemon's refresh).
    var downloadTimeoutSeconds = 60
    /// `download_max_mb`: the largest feed accepted, in bytes (set in MiB; 64 is what the loader reads).
    var downloadMaxBytes = 64 << 20
    /// `download_ca_file`: a PEM file of certificate authorities trusted beside the system's for HTTPS feeds.
    var downloadCAFile: String? = nil

    /// True when any feed is to be dropped in the kernel.
    var blocksFeeds: Bool { !blockFeeds.isEmpty || blockMinThreatLevel != nil }

    /// The element timeout of the kernel blocklist: two refresh periods plus an hour, so a live daemon's
    /// refresh always comes first and a dead daemon's list lapses by itself.
    /// `blocklist_timeout` (seconds) overrides it; it must exceed the period (checked when read).
    var blocklistTimeout: Duration {
        blocklistTimeoutSeconds.map { .seconds(Int64($0)) } ?? .seconds(Int64(updatePeriodSeconds * 2) + 3600)
    }
    /// `blocklist_timeout`: the element timeout in seconds, nil for the default above.
    var blocklistTimeoutSeconds: Double? = nil

    /// Slips' defaults.
    init() {}
}
