/// A detector's settings section could not be decoded: what is wrong, at which key path and where in the file.
///
/// `slipsd` turns it into its `ConfigError` (`file:line:col: keyPath: reason`), so a detector's settings are
/// reported exactly like the daemon's own keys.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The full key path (`network_discovery.minimum_targets`).
    public var keyPath: String
    /// Where the offending key or value is written, when known.
    public var mark: SettingsMark?
    /// What is wrong (`unknown key`, `expected an integer, got 'many'`, `0 is out of range 1...1000000`).
    public var reason: String

    /// Creates an error.
    public init(keyPath: String, mark: SettingsMark?, reason: String) {
        self.keyPath = keyPath; self.mark = mark; self.reason = reason
    }

    /// `line:col: keyPath: reason` (the file name is added by whoever knows it).
    public var description: String {
        let place = mark.map { "\($0.line):\($0.column): " } ?? ""
        return "\(place)\(keyPath): \(reason)"
    }
}
