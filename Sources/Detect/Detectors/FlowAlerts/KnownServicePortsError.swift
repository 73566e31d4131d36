/// A services file that could not be read or parsed: which file, which line (0 for the file as a whole), why.
public struct KnownServicePortsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or the name given to `parseEntries`).
    public var source: String
    /// 1-based line number; 0 when the file as a whole failed.
    public var line: Int
    /// What is wrong.
    public var reason: String
    /// Creates an error.
    public init(source: String, line: Int, reason: String) {
        self.source = source; self.line = line; self.reason = reason
    }
    /// `known ports file /path:12: port 'x' is not a number in 0…65535`.
    public var description: String {
        line > 0 ? "known ports file \(source):\(line): \(reason)" : "known ports file \(source): \(reason)"
    }
}
