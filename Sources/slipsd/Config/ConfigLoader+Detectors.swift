import Detect
import Yams

extension ConfigLoader {
    /// Reads every detector's settings section into `detection.detectorSettings` and returns the rest of
    /// `root` for the daemon's own keys.
    ///
    /// A detector's section is the top-level key named after it (`network_discovery:`, `arp:` …); its keys are
    /// decoded by the detector's `Settings` type, which refuses keys it does not know. Keys of the shared
    /// `detection:` section that older configurations used for detector settings (each detector's
    /// `legacyDetectionKeys`) are read as if written in the detector's section, with errors naming the old key.
    /// Every detector is decoded, enabled or not, so a mistake is found when the file is read.
    ///
    /// - Throws: `ConfigError` naming `file:line:col`, the key path and the reason.
    static func readDetectorSettings(_ root: Node, file: String, into detection: inout DetectionSettings,
                                     detectors: [any Detector.Type] = DetectorList.all) throws(ConfigError) -> Node {
        guard case .mapping(let mapping) = root else { return root }
        let names = Set(detectors.map { $0.name })
        var sections: [String: SettingsNode] = [:]
        var rest: [(Node, Node)] = []
        var legacyEntries: [String: [SettingsNode.Entry]] = [:]
        for (key, value) in mapping {
            if let name = key.string, names.contains(name) {
                sections[name] = try settingsNode(value, file: file, path: name)
            } else if key.string == "detection", case .mapping(let shared) = value {
                var kept: [(Node, Node)] = []
                for (sharedKey, sharedValue) in shared {
                    guard let legacy = sharedKey.string,
                          detectors.contains(where: { $0.legacyDetectionKeys[legacy] != nil }) else {
                        kept.append((sharedKey, sharedValue))
                        continue
                    }
                    let node = try settingsNode(sharedValue, file: file, path: "detection.\(legacy)")
                    for detector in detectors {
                        guard let target = detector.legacyDetectionKeys[legacy] else { continue }
                        legacyEntries[detector.name, default: []].append(SettingsNode.Entry(
                            key: target, keyMark: settingsMark(sharedKey.mark), value: node,
                            origin: "detection.\(legacy)"))
                    }
                }
                rest.append((key, .mapping(Node.Mapping(kept, shared.tag, shared.style, shared.mark))))
            } else {
                rest.append((key, value))
            }
        }
        for detector in detectors {
            var section = sections[detector.name]
            for entry in legacyEntries[detector.name] ?? [] {
                section = try adding(entry, to: section, of: detector.name, file: file)
            }
            do {
                detection.detectorSettings[detector.name] = try detector.decodeSettings(from: section)
            } catch {
                throw ConfigError(file: file, line: error.mark?.line, column: error.mark?.column,
                                  keyPath: error.keyPath, reason: error.reason)
            }
        }
        return .mapping(Node.Mapping(rest, mapping.tag, mapping.style, mapping.mark))
    }

    /// `section` with an entry an older key stood for; an error when the section sets the same key.
    private static func adding(_ entry: SettingsNode.Entry, to section: SettingsNode?, of name: String,
                               file: String) throws(ConfigError) -> SettingsNode {
        switch section {
        case nil, .null?:
            return .mapping([entry], entry.keyMark)
        case .mapping(let entries, let mark)?:
            if entries.contains(where: { $0.key == entry.key }) {
                throw ConfigError(file: file, line: entry.keyMark?.line, column: entry.keyMark?.column,
                                  keyPath: entry.origin ?? entry.key,
                                  reason: "also set as \(name).\(entry.key); keep one of them")
            }
            return .mapping(entries + [entry], mark)
        case let other?:
            return other                   // not a mapping: the detector's decoder reports it
        }
    }

    /// The YAML node as Detect's `SettingsNode` (marks kept; `key:`, `~` and `null` are no value).
    private static func settingsNode(_ node: Node, file: String, path: String) throws(ConfigError) -> SettingsNode {
        let mark = settingsMark(node.mark)
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            if !quoted, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return .null(mark) }
            return .scalar(scalar.string, quoted: quoted, mark)
        case .sequence(let sequence):
            var items: [SettingsNode] = []
            for item in sequence { items.append(try settingsNode(item, file: file, path: path)) }
            return .sequence(items, mark)
        case .mapping(let mapping):
            var entries: [SettingsNode.Entry] = []
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw ConfigError(file: file, line: key.mark?.line, column: key.mark?.column, keyPath: path,
                                      reason: "keys must be strings")
                }
                entries.append(SettingsNode.Entry(key: name, keyMark: settingsMark(key.mark),
                                                  value: try settingsNode(value, file: file, path: "\(path).\(name)")))
            }
            return .mapping(entries, mark)
        case .alias:
            throw ConfigError(file: file, line: node.mark?.line, column: node.mark?.column, keyPath: path,
                              reason: "YAML aliases are not supported in detector settings")
        }
    }

    private static func settingsMark(_ mark: Mark?) -> SettingsMark? {
        mark.map { SettingsMark(line: $0.line, column: $0.column) }
    }
}
