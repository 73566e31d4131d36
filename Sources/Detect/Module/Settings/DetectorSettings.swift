/// The settings of one detector, read from its own YAML section (named after the detector, as Slips names its
/// module sections: `network_discovery:`, `arp:`, `flow_alerts:` …; see `Detector.configSection`).
///
/// A settings type is a `Decodable` struct whose `init()` holds the defaults. Decode each key with
/// `KeyedDecodingContainer.value(_:default:)` (optionally `in:` a range), so that a key the section leaves out
/// keeps its default:
///
/// ```swift
/// public struct Settings: DetectorSettings {
///     public var threshold = 9
///     public init() {}
///     enum CodingKeys: String, CodingKey { case threshold }
///     public init(from decoder: any Decoder) throws {
///         self.init()
///         let section = try decoder.container(keyedBy: CodingKeys.self)
///         threshold = try section.value(.threshold, default: threshold, in: 1...1_000_000)
///     }
/// }
/// ```
///
/// The section is decoded once, when the configuration is read (so a bad value stops start-up with
/// `file:line:col: key: reason`), and a key the type does not read is an error (`unknown key`). The detector
/// gets the value with `context.detectorSettings(Settings.self)`.
public protocol DetectorSettings: Decodable, Sendable {
    /// The defaults: what the detector uses when the configuration has no section for it.
    init()
    /// Keys of the shared `detection:` section that older configurations used for these settings, each mapped
    /// to the key of this type's section it stands for (`"arp_scan_threshold": "arp_scan_threshold"`). A value
    /// given there is read as if written in the section; errors still name the old key. Default: none.
    static var legacyDetectionKeys: [String: String] { get }
}

extension DetectorSettings {
    /// No keys of an older layout.
    public static var legacyDetectionKeys: [String: String] { [:] }
}

/// The settings of a detector that has none: its section, if present, must be empty.
public struct NoSettings: DetectorSettings, Equatable {
    private enum NoKeys: CodingKey {}

    /// Nothing to set.
    public init() {}

    /// Accepts an empty section; every key in it is an unknown key.
    public init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: NoKeys.self) }
}

extension KeyedDecodingContainer {
    /// The value of `key`, or `fallback` when the section leaves the key out (or gives it no value).
    ///
    /// - Throws: a decoding error naming the key when the value has the wrong type.
    public func value<T: Decodable>(_ key: Key, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }

    /// The value of `key` checked against `range`, or `fallback` when the section leaves the key out.
    ///
    /// - Throws: a decoding error naming the key when the value has the wrong type or is outside `range`
    ///   (`0 is out of range 1...1000000`).
    public func value<T: Decodable & Comparable>(_ key: Key, default fallback: T, in range: ClosedRange<T>) throws -> T {
        guard let value = try decodeIfPresent(T.self, forKey: key) else { return fallback }
        guard range.contains(value) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A list whose every element lies in `range`, or `fallback` when the section leaves the key out.
    ///
    /// - Throws: a decoding error naming the key when an element has the wrong type or is outside `range`.
    public func value<T: Decodable & Comparable>(_ key: Key, default fallback: [T],
                                                 eachIn range: ClosedRange<T>) throws -> [T] {
        guard let values = try decodeIfPresent([T].self, forKey: key) else { return fallback }
        if let bad = values.first(where: { !range.contains($0) }) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "\(bad) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return values
    }
}
