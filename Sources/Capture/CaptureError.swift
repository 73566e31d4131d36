#if canImport(Glibc)
import Glibc
#endif

/// The one error type of the Capture module. Prints one line: what was being done, on what, and why.
public struct CaptureError: Error, Sendable, CustomStringConvertible {
    /// What was being done ("opening capture file", "binding queue", …).
    public var operation: String
    /// What it was done on ("/tmp/x.pcap", "interface eth0", "queue 0").
    public var object: String
    /// Why it failed (libpcap's message, errno text, or a validation message).
    public var reason: String
    /// The errno, when a system call failed.
    public var errno: Int32?

    /// Creates an error.
    public init(operation: String, object: String, reason: String, errno: Int32? = nil) {
        self.operation = operation; self.object = object; self.reason = reason; self.errno = errno
    }

    /// Creates an error from an errno value, with the system's text for it.
    public static func system(_ operation: String, _ object: String, errno code: Int32) -> CaptureError {
        CaptureError(operation: operation, object: object, reason: String(cString: strerror(code)), errno: code)
    }

    public var description: String { "\(operation) \(object): \(reason)" }
}
