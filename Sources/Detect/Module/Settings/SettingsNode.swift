/// A detector's YAML section as a plain tree, so Detect can decode settings without a YAML library: `slipsd`
/// converts the parsed YAML (Yams) into this, and tests write it directly.
///
/// Scalars keep their text; the settings decoder turns them into numbers, booleans or strings as the settings
/// type asks. Every node may carry its place in the file (`SettingsMark`), which errors name.
public indirect enum SettingsNode: Sendable {
    /// No value (`key:`, `~`, `null`): the setting keeps its default.
    case null(SettingsMark?)
    /// A scalar's text. `quoted` scalars (`"5"`, `'true'`) are only ever strings.
    case scalar(String, quoted: Bool, SettingsMark?)
    /// A list.
    case sequence([SettingsNode], SettingsMark?)
    /// A mapping, keys in file order.
    case mapping([Entry], SettingsMark?)

    /// One `key: value` of a mapping.
    public struct Entry: Sendable {
        /// The key.
        public var key: String
        /// Where the key is written.
        public var keyMark: SettingsMark?
        /// The value.
        public var value: SettingsNode
        /// The key path errors name for this entry, when it is not `section.key` (a value that an older config
        /// wrote elsewhere, e.g. `detection.arp_scan_threshold`).
        public var origin: String?

        /// Creates an entry.
        public init(key: String, keyMark: SettingsMark? = nil, value: SettingsNode, origin: String? = nil) {
            self.key = key; self.keyMark = keyMark; self.value = value; self.origin = origin
        }
    }

    /// Where the node is written.
    public var mark: SettingsMark? {
        switch self {
        case .null(let mark), .scalar(_, _, let mark), .sequence(_, let mark), .mapping(_, let mark): mark
        }
    }

    /// A plain (unquoted) scalar, for tests: `.plain("5")`.
    public static func plain(_ text: String) -> SettingsNode { .scalar(text, quoted: false, nil) }

    /// A mapping of plain entries, for tests: `.section(["threshold": .plain("5")])`, keys in the given order.
    public static func section(_ entries: KeyValuePairs<String, SettingsNode>) -> SettingsNode {
        .mapping(entries.map { Entry(key: $0.key, value: $0.value) }, nil)
    }

    /// The text of the node for messages (`'many'`, `a list`, `a mapping`).
    var shortText: String {
        switch self {
        case .null: "null"
        case .scalar(let text, _, _): "'\(text)'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// A place in the configuration file: 1-based line and column (as libyaml counts them).
public struct SettingsMark: Sendable, Hashable {
    /// Line, from 1.
    public var line: Int
    /// Column, from 1.
    public var column: Int

    /// Creates a mark.
    public init(line: Int, column: Int) { self.line = line; self.column = column }
}
