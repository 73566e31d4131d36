import Yams

/// What slipsd does with the keys of Slips' own `slips.yaml` (1.1.x), so a Slips user's file loads: sections and
/// keys slipsd has no use for are taken out before the file is checked and listed once, by name, as ignored;
/// Slips' section names that differ from slipsd's are read as slipsd's; anything else unknown is still an error
/// with its line and column. (The names are facts about Slips' configuration; the lists are slipsd's own.)
enum SlipsConfigKeys {
    /// Sections of Slips' file read under slipsd's name for them.
    static let sectionAliases: [String: String] = [
        "flow_alerts": "flowalerts",                     // Slips 1.1.21 spelling; older files say flowalerts
        "brute_force_detector": "ssh_brute_force",
    ]

    /// Whole Slips sections slipsd has no counterpart for (yet).
    static let ignoredSections: Set<String> = [
        "modes", "output", "update", "Debug", "flowmldetection", "flow_ml_detection", "anomaly_detection_https",
        "virustotal", "exporting_alerts", "CESNET", "cesnet", "Docker", "Profiling",
        "web_interface", "global_p2p", "local_p2p", "P2P",
    ]

    /// Keys of Slips' sections that slipsd reads, which slipsd itself does not use.
    static let ignoredKeys: [String: Set<String>] = [
        "parameters": ["verbose", "debug", "export_strato_letters", "analysis_direction", "delete_zeek_files",
                       "store_a_copy_of_zeek_files", "store_zeek_files_in_the_output_dir", "metadata_dir",
                       "permanent_dir", "pcapfilter", "deletePrevdb", "label", "rotation", "rotation_period",
                       "default_rotation_interval", "keep_rotated_files_for", "wait_for_modules_to_finish",
                       "export_labeled_flows", "export_format", "client_ips"],
        "detection": ["popup_alerts"],
        "modules": ["timeline_human_timestamp"],
        "whitelists": ["enable_online_whitelist", "online_whitelist_update_period", "online_whitelist"],
        "threatintelligence": ["wait_for_TI_to_finish", "mac_db_update", "mac_db", "RiskIQ_credentials_path",
                               "riskiq_update_period"],
    ]

    /// Keys of Slips' `flow_alerts` section that slipsd's detectors read in their own sections, under the same
    /// name and with the same meaning: a Slips file's value reaches them (a value the detector's own section also
    /// sets wins, and the Slips key is then listed as ignored).
    static let movedKeys: [String: [String: [String]]] = [
        "flowalerts": ["entropy_threshold": ["high_entropy_dns_answer"],
                       "ssh_succesful_detection_threshold": ["ssh_analyzer"],
                       "pastebin_download_threshold": ["http_analyzer", "pastebin_tls"]],
    ]

    /// `root` with Slips' section names renamed, Slips' keys moved to the detector sections that read them, and
    /// what slipsd ignores taken out.
    /// - Returns: the new root and the ignored names (`section` or `section.key`), in file order.
    static func strip(_ root: Node) -> (Node, [String]) {
        guard case .mapping(let mapping) = root else { return (root, []) }
        var ignored: [String] = []
        var kept: [(Node, Node)] = []
        var moved: [(target: String, origin: String, key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let written = key.string else { kept.append((key, value)); continue }
            if ignoredSections.contains(written) { ignored.append(written); continue }
            let name = sectionAliases[written] ?? written
            let renamed = name == written ? key : Node.scalar(.init(name, key.scalar?.tag ?? .implicit, .plain, key.mark))
            let drop = ignoredKeys[name] ?? [], moves = movedKeys[name] ?? [:]
            guard !drop.isEmpty || !moves.isEmpty, case .mapping(let section) = value else {
                kept.append((renamed, value))
                continue
            }
            var keptKeys: [(Node, Node)] = []
            for (sectionKey, sectionValue) in section {
                if let k = sectionKey.string, drop.contains(k) {
                    ignored.append("\(written).\(k)")
                } else if let k = sectionKey.string, let targets = moves[k] {
                    for target in targets { moved.append((target, "\(written).\(k)", sectionKey, sectionValue)) }
                } else {
                    keptKeys.append((sectionKey, sectionValue))
                }
            }
            kept.append((renamed, .mapping(Node.Mapping(keptKeys, section.tag, section.style, section.mark))))
        }
        for entry in moved {
            let keyName = entry.key.string ?? ""
            if let index = kept.firstIndex(where: { $0.0.string == entry.target }) {
                guard case .mapping(let section) = kept[index].1 else { continue }   // the section's own error follows
                if section.contains(where: { $0.key.string == keyName }) {
                    ignored.append("\(entry.origin) (\(entry.target).\(keyName) is set too)")
                    continue
                }
                kept[index].1 = .mapping(Node.Mapping(Array(section) + [(entry.key, entry.value)], section.tag,
                                                      section.style, section.mark))
            } else {
                kept.append((Node(entry.target), .mapping(Node.Mapping([(entry.key, entry.value)]))))
            }
        }
        return (.mapping(Node.Mapping(kept, mapping.tag, mapping.style, mapping.mark)), ignored)
    }
}
