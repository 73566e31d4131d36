import Yams

/// Reads one YAML mapping against a schema: each known key is consumed by a typed accessor; whatever is left is
/// an unknown key and an error naming its line. Values of the wrong type or out of range are errors too.
struct ConfigReader {
    let file: String
    let path: String
    private let pairs: [(key: String, node: Node, keyNode: Node)]
    private var used: Set<String> = []
    /// Where the mapping itself is (for problems that belong to the section, not to one of its keys).
    private let mark: Mark?

    init(file: String, path: String, node: Node) throws(ConfigError) {
        self.file = file
        self.path = path
        self.mark = node.mark
        guard case let .mapping(mapping) = node else {
            throw ConfigError(file: file, line: node.mark?.line, column: node.mark?.column, keyPath: path,
                              reason: "expected a mapping of keys")
        }
        var pairs: [(String, Node, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw ConfigError(file: file, line: key.mark?.line, column: key.mark?.column, keyPath: path,
                                  reason: "keys must be strings")
            }
            pairs.append((name, value, key))
        }
        self.pairs = pairs
    }

    private func fullPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ node: Node, _ key: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, column: node.mark?.column, keyPath: fullPath(key), reason: reason)
    }

    /// An error about `key` of this mapping, placed at its value when the file sets it, else at the mapping
    /// (a problem a default value causes together with a key that is set). An empty `key` means the mapping.
    func error(forKey key: String, _ reason: String) -> ConfigError {
        if key.isEmpty {
            return ConfigError(file: file, line: mark?.line, column: mark?.column, keyPath: path, reason: reason)
        }
        if let pair = pairs.first(where: { $0.key == key }) { return error(pair.node, key, reason) }
        return ConfigError(file: file, line: mark?.line, column: mark?.column, keyPath: fullPath(key), reason: reason)
    }

    private mutating func take(_ key: String) -> Node? {
        guard let pair = pairs.first(where: { $0.key == key }) else { return nil }
        used.insert(key)
        if case .scalar(let s) = pair.node, s.string.isEmpty || s.string == "~" || s.string == "null" {
            return nil                                   // `key:` with no value keeps the default
        }
        return pair.node
    }

    /// A nested section: `body` reads it with its own reader, which must consume every key.
    mutating func section(_ key: String, _ body: (inout ConfigReader) throws(ConfigError) -> Void) throws(ConfigError) {
        guard let node = take(key) else { return }
        var reader = try ConfigReader(file: file, path: fullPath(key), node: node)
        try body(&reader)
        try reader.finish()
    }

    mutating func bool(_ key: String, into value: inout Bool) throws(ConfigError) {
        guard let node = take(key) else { return }
        guard case .scalar = node, let parsed = node.bool else { throw error(node, key, "expected true or false, got '\(node.string ?? "?")'") }
        value = parsed
    }

    mutating func double(_ key: String, into value: inout Double, in range: ClosedRange<Double>) throws(ConfigError) {
        guard let node = take(key) else { return }
        guard case .scalar = node, let parsed = node.float ?? node.int.map(Double.init) else {
            throw error(node, key, "expected a number, got '\(node.string ?? "?")'")
        }
        guard range.contains(parsed) else {
            throw error(node, key, "\(parsed) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        value = parsed
    }

    /// A number, or a text containing `word` (then `flag` is set and `value` kept): Slips' `time_window_width`,
    /// which is seconds or `only_one_tw`.
    mutating func double(_ key: String, into value: inout Double, in range: ClosedRange<Double>,
                         orWord word: String, setting flag: inout Bool) throws(ConfigError) {
        if let pair = pairs.first(where: { $0.key == key }), case .scalar = pair.node,
           pair.node.float == nil, pair.node.int == nil, let text = pair.node.string, text.contains(word) {
            used.insert(key)
            flag = true
            return
        }
        try double(key, into: &value, in: range)
    }

    mutating func int(_ key: String, into value: inout Int, in range: ClosedRange<Int>) throws(ConfigError) {
        guard let node = take(key) else { return }
        guard case .scalar = node, let parsed = node.int else {
            throw error(node, key, "expected an integer, got '\(node.string ?? "?")'")
        }
        guard range.contains(parsed) else {
            throw error(node, key, "\(parsed) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        value = parsed
    }

    mutating func string(_ key: String, into value: inout String) throws(ConfigError) {
        guard let node = take(key) else { return }
        guard case .scalar = node, let parsed = node.string else { throw error(node, key, "expected a string") }
        value = parsed
    }

    /// A string that must be the raw value of one of `T`'s cases.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, into value: inout T) throws(ConfigError)
        where T.RawValue == String {
        guard let node = take(key) else { return }
        guard case .scalar = node, let parsed = node.string, let choice = T(rawValue: parsed) else {
            throw error(node, key, "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        value = choice
    }

    mutating func optionalString(_ key: String, into value: inout String?) throws(ConfigError) {
        guard let node = take(key) else { return }
        guard case .scalar = node, let parsed = node.string else { throw error(node, key, "expected a string") }
        value = parsed
    }

    /// A list of strings, each checked by `validate` (which returns an error reason or nil).
    mutating func strings(_ key: String, into value: inout [String],
                          validate: (String) -> String? = { _ in nil }) throws(ConfigError) {
        guard let node = take(key) else { return }
        value = try stringList(node, key, expected: "expected a list", validate: validate)
    }

    /// The checked strings of a list node.
    private func stringList(_ node: Node, _ key: String, expected: String,
                            validate: (String) -> String?) throws(ConfigError) -> [String] {
        guard case .sequence(let sequence) = node else { throw error(node, key, expected) }
        var result: [String] = []
        for item in sequence {
            guard case .scalar = item, let text = item.string else { throw error(item, key, "list items must be strings") }
            if let problem = validate(text) { throw error(item, key, problem) }
            result.append(text)
        }
        return result
    }

    /// `word` (then nil) or a list of strings, each checked by `validate` (`http_hashes: auto` or `[md5]`).
    mutating func stringsOrWord(_ key: String, word: String, into value: inout [String]?,
                                validate: (String) -> String? = { _ in nil }) throws(ConfigError) {
        guard let node = take(key) else { return }
        if case .scalar = node {
            guard node.string == word else { throw error(node, key, "expected \(word) or a list") }
            value = nil
            return
        }
        value = try stringList(node, key, expected: "expected \(word) or a list", validate: validate)
    }

    /// Fails on the first key that no accessor consumed.
    func finish() throws(ConfigError) {
        for pair in pairs where !used.contains(pair.key) {
            throw ConfigError(file: file, line: pair.keyNode.mark?.line, column: pair.keyNode.mark?.column,
                              keyPath: fullPath(pair.key), reason: "unknown key")
        }
    }
}
