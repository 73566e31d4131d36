import Detect

extension ConfigReader {
    /// Reads the `threatintelligence:` keys slipsd uses (the others are listed as ignored by `SlipsConfigKeys`).
    mutating func readThreatIntel(into settings: inout ThreatIntelSettings) throws(ConfigError) {
        try string("local_threat_intelligence_files", into: &settings.localFilesPath)
        try optionalString("download_path_for_remote_threat_intelligence", into: &settings.downloadPath)
        try optionalString("ti_files", into: &settings.tiFiles)
        try optionalString("ja3_feeds", into: &settings.ja3Feeds)
        try optionalString("ssl_feeds", into: &settings.sslFeeds)
        try optionalString("ja4_feeds", into: &settings.ja4Feeds)
        if settings.downloadPath?.isEmpty == true { settings.downloadPath = nil }   // `key:` with no value: none
        try double("TI_files_update_period", into: &settings.updatePeriodSeconds, in: 10...(366 * 86400))
        try int("download_timeout", into: &settings.downloadTimeoutSeconds, in: 1...3600)
        var megabytes = settings.downloadMaxBytes >> 20
        try int("download_max_mb", into: &megabytes, in: 1...1024)
        settings.downloadMaxBytes = megabytes << 20
        try optionalString("download_ca_file", into: &settings.downloadCAFile)
        try string("asn_database", into: &settings.asnDatabase)
        if settings.downloadCAFile?.isEmpty == true { settings.downloadCAFile = nil }
        var timeout = settings.blocklistTimeoutSeconds ?? 0
        try double("blocklist_timeout", into: &timeout, in: 0...(3 * 366 * 86400))
        if timeout > 0 {
            guard timeout > settings.updatePeriodSeconds else {
                throw error(forKey: "blocklist_timeout", "must exceed TI_files_update_period (\(Int(settings.updatePeriodSeconds)) s): a live daemon's list would lapse between refreshes")
            }
            settings.blocklistTimeoutSeconds = timeout
        }
        try strings("block_feeds", into: &settings.blockFeeds)
        var level = settings.blockMinThreatLevel?.rawValue ?? "none"
        try string("block_min_threat_level", into: &level)
        switch level.lowercased() {
        case "none", "": settings.blockMinThreatLevel = nil
        case let text:
            guard let parsed = ThreatLevel(rawValue: text), parsed != .info else {
                throw error(forKey: "block_min_threat_level", "expected none, low, medium, high or critical, got '\(level)'")
            }
            settings.blockMinThreatLevel = parsed
        }
    }
}
