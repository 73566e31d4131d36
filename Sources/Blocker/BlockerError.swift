import NetCore
/// Errors of the nftables blocker; each prints one line naming the operation, the object and why.
public struct BlockerError: Error, Sendable, CustomStringConvertible {
    /// What was being done (e.g. "adding element 10.0.0.5 to set inet slipsd blocked4").
    public var operation: String
    /// Why it failed (errno text or a validation message).
    public var reason: String
    /// The errno, when a system call failed.
    public var errno: Int32?
    public init(operation: String, reason: String, errno: Int32? = nil) {
        self.operation = operation; self.reason = reason; self.errno = errno
    }
    public var description: String { "\(operation): \(reason)" }
}
