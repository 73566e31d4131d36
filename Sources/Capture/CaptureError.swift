import NetCore
import Records
import SystemPackage

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

    /// The error of a NetCore helper (a thread, a file, the netlink socket), in Capture's terms.
    public init(_ error: SystemError) {
        self.init(operation: error.operation, object: error.object, reason: Errno.describe(error.errno),
                  errno: error.errno.rawValue)
    }

    /// `"Operation not permitted (EPERM)"` for 1: NetCore's one errno table.
    public static func describe(errno value: Int32) -> String { Errno.describe(Errno(rawValue: value)) }

    /// The one-line message: `"<operation> <object>: <reason>"`.
    public var description: String { object.isEmpty ? "\(operation): \(reason)" : "\(operation) \(object): \(reason)" }
}

extension OSThread {
    /// `spawn` with the error in Capture's terms.
    static func spawnCapture(name: String, object: String,
                             _ body: sending @escaping () -> Void) throws(CaptureError) -> OSThread {
        do {
            return try spawn(name: name, object: object, body)
        } catch {
            throw CaptureError(error)
        }
    }
}
