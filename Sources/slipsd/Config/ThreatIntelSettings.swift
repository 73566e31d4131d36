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

    /// Slips' defaults.
    init() {}
}
