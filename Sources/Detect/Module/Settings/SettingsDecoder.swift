/// Decodes a `DetectorSettings` type from its section (`SettingsNode`), refusing keys the type does not read.
///
/// Scalars are read as the type asks: `Bool` from `true`/`false` (also `yes`/`no`, `on`/`off`, as YAML 1.1),
/// integers from decimal, `0x` or `0o` text, floating point from any number, `String` from any scalar. A key
/// whose value is empty (`key:`) counts as absent. After decoding, every key of every mapping the type opened
/// must have been read (decoded, or asked about with `contains`); the first one that was not is an
/// `unknown key` error at the key's mark. Errors carry the full key path and the mark of the offending value.
public enum SettingsDecoder {
    /// Decodes `type` from `section`, or returns `S()` when there is no section (or it has no value).
    ///
    /// - Parameters:
    ///   - section: the section's node, nil when the configuration has none.
    ///   - path: the section's key path in the file (`network_discovery`), the prefix of every error.
    /// - Throws: `SettingsError` naming the key path, its mark and the reason.
    public static func decode<S: DetectorSettings>(_ type: S.Type, from section: SettingsNode?,
                                                   path: String) throws(SettingsError) -> S {
        guard let section else { return S() }
        if case .null = section { return S() }
        let state = DecodingState(root: section, path: path)
        let value: S
        do {
            value = try S(from: NodeDecoder(node: section, codingPath: [], display: path, state: state))
        } catch let error as SettingsError {
            throw error
        } catch let error as DecodingError {
            throw state.settingsError(error)
        } catch {
            throw SettingsError(keyPath: path, mark: section.mark, reason: "\(error)")
        }
        try state.checkUnusedKeys()
        return value
    }
}

/// What one decoding run shares: the mappings opened and the keys read from each.
private final class DecodingState {
    final class Opened {
        let entries: [SettingsNode.Entry]
        let display: String
        var used: Set<String> = []
        init(entries: [SettingsNode.Entry], display: String) { self.entries = entries; self.display = display }
    }

    let root: SettingsNode
    let path: String
    /// Opened mappings by their coding path, in the order first opened.
    private var opened: [String: Opened] = [:]
    private var order: [String] = []

    init(root: SettingsNode, path: String) { self.root = root; self.path = path }

    func open(_ entries: [SettingsNode.Entry], at codingPath: [any CodingKey], display: String) -> Opened {
        let id = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        if let existing = opened[id] { return existing }
        let new = Opened(entries: entries, display: display)
        opened[id] = new
        order.append(id)
        return new
    }

    func checkUnusedKeys() throws(SettingsError) {
        for id in order {
            let mapping = opened[id]!
            for entry in mapping.entries where !mapping.used.contains(entry.key) {
                throw SettingsError(keyPath: entry.origin ?? "\(mapping.display).\(entry.key)", mark: entry.keyMark,
                                    reason: "unknown key")
            }
        }
    }

    /// Maps an error thrown by a settings type (a range check, a missing required key) to the node it is about.
    func settingsError(_ error: DecodingError) -> SettingsError {
        let (context, reason): (DecodingError.Context, String) = switch error {
        case .dataCorrupted(let c): (c, c.debugDescription)
        case .keyNotFound(let key, let c): (DecodingError.Context(codingPath: c.codingPath + [key], debugDescription: ""),
                                            "required key missing")
        case .typeMismatch(_, let c): (c, c.debugDescription)
        case .valueNotFound(_, let c): (c, c.debugDescription.isEmpty ? "a value is required" : c.debugDescription)
        @unknown default: (DecodingError.Context(codingPath: [], debugDescription: ""), "\(error)")
        }
        var node: SettingsNode? = root
        var display = path
        var mark = root.mark
        for key in context.codingPath {
            switch node {
            case .mapping(let entries, _):
                guard let entry = entries.first(where: { $0.key == key.stringValue }) else {
                    display += ".\(key.stringValue)"
                    node = nil
                    continue
                }
                display = entry.origin ?? "\(display).\(entry.key)"
                mark = entry.value.mark ?? entry.keyMark
                node = entry.value
            case .sequence(let items, _):
                if let index = key.intValue, items.indices.contains(index) {
                    node = items[index]
                    mark = items[index].mark ?? mark
                } else {
                    node = nil
                }
            default:
                if key.intValue == nil { display += ".\(key.stringValue)" }
                node = nil
            }
        }
        return SettingsError(keyPath: display, mark: mark, reason: reason)
    }
}

/// An index in a list, as a coding key.
private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// A decoder positioned on one node; also its single-value container.
private struct NodeDecoder: Decoder, SingleValueDecodingContainer {
    let node: SettingsNode
    let codingPath: [any CodingKey]
    /// The key path shown in errors.
    let display: String
    let state: DecodingState
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func failure(_ reason: String) -> SettingsError { SettingsError(keyPath: display, mark: node.mark, reason: reason) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let entries: [SettingsNode.Entry]
        switch node {
        case .mapping(let list, _): entries = list
        case .null: entries = []
        default: throw failure("expected a mapping of keys, got \(node.shortText)")
        }
        let opened = state.open(entries, at: codingPath, display: display)
        return KeyedDecodingContainer(KeyedContainer<Key>(opened: opened, codingPath: codingPath, state: state))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch node {
        case .sequence(let items, _): return UnkeyedContainer(items: items, codingPath: codingPath, display: display, state: state)
        case .null: return UnkeyedContainer(items: [], codingPath: codingPath, display: display, state: state)
        default: throw failure("expected a list, got \(node.shortText)")
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: single value

    func decodeNil() -> Bool { if case .null = node { return true } else { return false } }

    private func scalar(_ expected: String) throws(SettingsError) -> (text: String, quoted: Bool) {
        guard case .scalar(let text, let quoted, _) = node else { throw failure("expected \(expected), got \(node.shortText)") }
        return (text, quoted)
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        let (text, quoted) = try scalar("true or false")
        switch quoted ? "" : text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw failure("expected true or false, got '\(text)'")
        }
    }

    func decode(_ type: String.Type) throws -> String { try scalar("a string").text }

    func decode(_ type: Double.Type) throws -> Double {
        let (text, quoted) = try scalar("a number")
        guard !quoted, let value = Double(text.replacingUnderscores) ?? Self.integer(text).map(Double.init), value.isFinite
        else { throw failure("expected a number, got '\(text)'") }
        return value
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    private static func integer(_ text: String) -> Int? {
        var digits = Substring(text.replacingUnderscores)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" { negative = sign == "-"; digits = digits.dropFirst() }
        var radix = 10
        if digits.hasPrefix("0x") { radix = 16; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0o") { radix = 8; digits = digits.dropFirst(2) }
        guard !digits.isEmpty, let magnitude = Int(digits, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws(SettingsError) -> T {
        let (text, quoted) = try scalar("an integer")
        guard !quoted, let value = Self.integer(text) else { throw failure("expected an integer, got '\(text)'") }
        guard let exact = T(exactly: value) else { throw failure("\(value) does not fit in \(T.self)") }
        return exact
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
}

private extension String {
    var replacingUnderscores: String { contains("_") ? filter { $0 != "_" } : self }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let opened: DecodingState.Opened
    let codingPath: [any CodingKey]
    let state: DecodingState

    var allKeys: [Key] { opened.entries.compactMap { Key(stringValue: $0.key) } }

    private func entry(_ key: Key) -> SettingsNode.Entry? {
        opened.used.insert(key.stringValue)
        return opened.entries.first { $0.key == key.stringValue }
    }

    func contains(_ key: Key) -> Bool { entry(key) != nil }

    private func decoder(_ key: Key) throws -> NodeDecoder {
        guard let entry = entry(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: ""))
        }
        return NodeDecoder(node: entry.value, codingPath: codingPath + [key],
                           display: entry.origin ?? "\(opened.display).\(entry.key)", state: state)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try decoder(key).decodeNil() }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let decoder = try decoder(key)
        if decoder.decodeNil() { throw decoder.failure("a value is required") }
        return try T(from: decoder)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let entry = entry(key) else { return nil }
        if case .null = entry.value { return nil }
        return try decode(type, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                               forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        throw SettingsError(keyPath: opened.display, mark: nil, reason: "superclass settings are not supported")
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [SettingsNode]
    let codingPath: [any CodingKey]
    let display: String
    let state: DecodingState
    var currentIndex = 0

    init(items: [SettingsNode], codingPath: [any CodingKey], display: String, state: DecodingState) {
        self.items = items; self.codingPath = codingPath; self.display = display; self.state = state
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else { throw SettingsError(keyPath: display, mark: items.last?.mark, reason: "too few list items") }
        defer { currentIndex += 1 }
        return NodeDecoder(node: items[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)],
                           display: display, state: state)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = items[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}
