import Glibc

/// The one error type of the Capture module. It prints one line: what was being done, on what, and why, e.g.
/// `binding NFQUEUE queue 3: already in use by another process (EPERM)`.
public struct CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, e.g. "binding", "configuring", "receiving".
    public var operation: String
    /// What it was done on, e.g. "NFQUEUE queue 3", "interface eth0", "file capture.pcap".
    public var object: String
    /// Why it failed: the errno text or a validation message.
    public var reason: String
    /// The errno when a system call or the kernel reported one.
    public var errno: Int32?

    /// Creates an error from its parts.
    public init(operation: String, object: String, reason: String, errno: Int32? = nil) {
        self.operation = operation
        self.object = object
        self.reason = reason
        self.errno = errno
    }

    /// Creates an error for a failed system call or kernel reply; the reason is the errno text and its name.
    /// - Parameters:
    ///   - operation: what was being done.
    ///   - object: what it was done on.
    ///   - errno: the positive errno value.
    public static func system(_ operation: String, object: String, errno: Int32) -> CaptureError {
        CaptureError(operation: operation, object: object, reason: CaptureError.describe(errno: errno), errno: errno)
    }

    /// `"Operation not permitted (EPERM)"` for 1; the symbolic name only for common values.
    public static func describe(errno value: Int32) -> String {
        let text = String(cString: strerror(value))
        if let name = errnoNames[value] { return "\(text) (\(name))" }
        return "\(text) (errno \(value))"
    }

    /// The one-line message: `"<operation> <object>: <reason>"`.
    public var description: String { "\(operation) \(object): \(reason)" }

    private static let errnoNames: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EBADF: "EBADF", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM",
        EACCES: "EACCES", EBUSY: "EBUSY", EEXIST: "EEXIST", ENODEV: "ENODEV", EINVAL: "EINVAL", ENOSPC: "ENOSPC",
        EPROTONOSUPPORT: "EPROTONOSUPPORT", EOPNOTSUPP: "EOPNOTSUPP", ENOBUFS: "ENOBUFS", ENOTSOCK: "ENOTSOCK",
        EMSGSIZE: "EMSGSIZE", ETIMEDOUT: "ETIMEDOUT", ECONNREFUSED: "ECONNREFUSED", ENETDOWN: "ENETDOWN",
    ]
}
