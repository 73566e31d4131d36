/// A services file that could not be read or parsed: which file, which line (0 for the file as a whole), why.
public struct KnownServicePortsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var line: Int
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
