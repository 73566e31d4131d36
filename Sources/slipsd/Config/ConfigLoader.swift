import NetCore
import Records
import Capture
import Detect
import Yams
#if canImport(Glibc)
import Glibc
#endif

/// Loads `slipsd.yaml` into `SlipsdSettings`. Unknown keys, wrong types and out-of-range values are errors that
/// name the key and its line.
enum ConfigLoader {
    /// Reads and validates `path`.
    /// - Throws: also when another user could have written the file or a directory above it (`TrustedPath`).
    static func load(path: String) throws(ConfigError) -> SlipsdSettings {
        if let problem = TrustedPath.problem(with: path) {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "",
                              reason: "not read: \(problem) (slipsd reads only files that no other user can change)")
        }
        let text: String
        do {
            text = try readFile(path)
        } catch {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "", reason: "cannot read: \(error)")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML text (`file` is used in messages).
    static func parse(_ text: String, file: String) throws(ConfigError) -> SlipsdSettings {
        var settings = SlipsdSettings()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(file: file, line: nil, column: nil, keyPath: "", reason: "not valid YAML: \(error)")
        }
        guard let written = root else { return settings }        // empty file: all defaults
        let (stripped, ignoredSlipsKeys) = SlipsConfigKeys.strip(written)
        settings.ignoredSlipsKeys = ignoredSlipsKeys
        let rest = try readDetectorSettings(stripped, file: file, into: &settings.detection)
        var reader = try ConfigReader(file: file, path: "", node: rest)

        try reader.section("parameters") { (r: inout ConfigReader) throws(ConfigError) in
            // Slips' `time_window_width: only_one_tw` (any text containing it) selects the single window, as
            // does `only_one_tw: true`; either one is enough.
            var widthSaysOnlyOne = false, onlyOne = settings.detection.onlyOneTimeWindow
            try r.double("time_window_width", into: &settings.detection.timeWindowWidth, in: 1...(366 * 86400),
                         orWord: "only_one_tw", setting: &widthSaysOnlyOne)
            try r.bool("only_one_tw", into: &onlyOne)
            settings.detection.onlyOneTimeWindow = onlyOne || widthSaysOnlyOne
            // Slips' (Zeek's) TCP inactivity timeout, in minutes; `flows.tcp_inactivity_timeout` (seconds) wins.
            var minutes = -1.0
            try r.double("tcp_inactivity_timeout", into: &minutes, in: 1...1440)
            if minutes > 0 { settings.flows.tcpInactivityTimeout = minutes * 60 }
        }
        try reader.section("detection") { (r: inout ConfigReader) throws(ConfigError) in
            try r.double("evidence_detection_threshold", into: &settings.detection.evidenceDetectionThreshold, in: 0.0001...1000)
        }
        let knownDetectors = DetectorList.all.map { $0.name }
        let checkModule: (String) -> String? = { name in
            SlipsModuleNames.detectors(for: name, known: knownDetectors) != nil ? nil
                : "unknown detector or Slips module '\(name)' (slipsd's: \(knownDetectors.sorted().joined(separator: ", ")))"
        }
        let detectors: ([String]) -> Set<String> = { names in
            Set(names.flatMap { SlipsModuleNames.detectors(for: $0, known: knownDetectors) ?? [] })
        }
        try reader.section("modules") { (r: inout ConfigReader) throws(ConfigError) in
            var disable: [String] = [], enable: [String] = []
            try r.strings("disable", into: &disable, validate: checkModule)
            try r.strings("enable", into: &enable, validate: checkModule)
            settings.detection.disabledModules = detectors(disable)
            settings.detection.enabledModules = detectors(enable)
        }
        try reader.section("DisabledAlerts") { (r: inout ConfigReader) throws(ConfigError) in
            var names: [String] = []
            try r.strings("disabled_detections", into: &names) { name in
                EvidenceType(rawValue: name) == nil && !SlipsEvidenceTypeNames.all.contains(name)
                    ? "unknown evidence type '\(name)'" : nil
            }
            settings.detection.disabledDetections = Set(names.compactMap(EvidenceType.init(rawValue:)))
        }
        try reader.section("analyzers") { (r: inout ConfigReader) throws(ConfigError) in
            try r.bool("enabled", into: &settings.analyzers.enabled)
            try r.int("memory_budget_mb", into: &settings.analyzers.memoryBudgetMB, in: 1...65_536)
            try r.int("http_hash_max_mb", into: &settings.analyzers.httpHashMaxMB, in: 0...4096)
            try r.stringsOrWord("http_hashes", word: "auto", into: &settings.analyzers.httpHashes) { name in
                HTTPBodyHashKinds(name: name) == nil ? "unknown hash '\(name)' (md5, sha1, sha256; or auto)" : nil
            }
        }
        try reader.section("whitelists") { (r: inout ConfigReader) throws(ConfigError) in
            try r.bool("enable_local_whitelist", into: &settings.whitelistEnabled)
            try r.optionalString("local_whitelist_path", into: &settings.whitelistPath)
            settings.whitelistPathWasSet = settings.whitelistPath != nil
            try r.optionalString("organizations_info_path", into: &settings.organizationsInfoPath)
        }
        try reader.section("threatintelligence") { (r: inout ConfigReader) throws(ConfigError) in
            try r.readThreatIntel(into: &settings.threatIntel)
        }
        try reader.section("flows") { (r: inout ConfigReader) throws(ConfigError) in
            try r.int("max", into: &settings.flows.maxFlows, in: 16...100_000_000)
            try r.double("tcp_inactivity_timeout", into: &settings.flows.tcpInactivityTimeout, in: 1...86400)
            try r.double("tcp_close_delay", into: &settings.flows.tcpCloseDelay, in: 0...3600)
            try r.double("tcp_reset_delay", into: &settings.flows.tcpResetDelay, in: 0...3600)
            try r.double("udp_inactivity_timeout", into: &settings.flows.udpInactivityTimeout, in: 1...86400)
            try r.double("icmp_inactivity_timeout", into: &settings.flows.icmpInactivityTimeout, in: 1...86400)
            try r.double("attempt_report_delay", into: &settings.flows.attemptReportDelay, in: 0.1...3600)
            try r.double("interim_report_interval", into: &settings.flows.interimReportInterval, in: 1...86400)
            try r.validateFlowTable(settings.flows)
        }
        try reader.section("blocking") { (r: inout ConfigReader) throws(ConfigError) in
            try r.string("table", into: &settings.blocking.table)
            try r.int("duration", into: &settings.blocking.durationSeconds, in: 0...(365 * 86400))
            try r.bool("escalate", into: &settings.blocking.escalate)
            try r.int("max_duration", into: &settings.blocking.maxDurationSeconds, in: 1...(365 * 86400))
            try r.strings("allowlist", into: &settings.blocking.allowlist) { entry in
                isAddressOrNetwork(entry) ? nil : "'\(entry)' is not an IP address or CIDR network"
            }
            try r.int("unblock_grace_period", into: &settings.blocking.unblockGraceSeconds, in: 0...(30 * 86400))
            try r.bool("reverse_path_check", into: &settings.blocking.reversePathCheck)
            try r.choice("unverified_alerts", into: &settings.blocking.unverifiedScope)
            var stateFile: String? = nil
            try r.optionalString("state_file", into: &stateFile)
            if let stateFile {
                guard stateFile == "none" || (stateFile.hasPrefix("/") && !stateFile.hasSuffix("/")) else {
                    throw r.error(forKey: "state_file", "expected an absolute file path, or none")
                }
                settings.blocking.stateFile = stateFile == "none" ? "" : stateFile
                settings.blocking.stateFileWasSet = true
            }
            try r.bool("protect_connected_subnets", into: &settings.blocking.protectConnectedSubnets)
        }
        try reader.section("inline") { (r: inout ConfigReader) throws(ConfigError) in
            try r.int("copy_range", into: &settings.inline.copyRange, in: 64...0xFFFF)
            try r.int("queue_maxlen", into: &settings.inline.queueMaxLength, in: 16...1_000_000)
            try r.int("socket_buffer", into: &settings.inline.socketBufferBytes, in: 65536...(1 << 30))
            try r.bool("fail_closed", into: &settings.inline.failClosed)
            try r.bool("gso", into: &settings.inline.gso)
            try r.bool("steer_input", into: &settings.inline.steerInput)
            try r.int("watchdog_ms", into: &settings.inline.watchdogMilliseconds, in: 10...60_000)
            try r.validateQueue(settings.inline)
        }
        try reader.section("daemon") { (r: inout ConfigReader) throws(ConfigError) in
            try r.string("user", into: &settings.daemon.user)
            try r.string("control_socket", into: &settings.daemon.controlSocket)
            try r.optionalString("control_group", into: &settings.daemon.controlGroup)
            try r.choice("seccomp", into: &settings.daemon.seccomp)
        }
        try reader.finish()
        return settings
    }

    /// True for `1.2.3.4`, `::1`, `10.0.0.0/8`, `fd00::/8`.
    static func isAddressOrNetwork(_ text: String) -> Bool { CIDR(text) != nil }

    /// Reads a whole file as UTF-8 (NetCore's `TextFile`).
    static func readFile(_ path: String) throws(SystemError) -> String { try TextFile.read(path) }
}
