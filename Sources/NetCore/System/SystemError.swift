import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The error of NetCore's OS helpers: what was being done, on what, and the `Errno` the kernel gave, in one line
/// such as `writing alerts.log: No space left on device (ENOSPC)`.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, e.g. "opening", "writing", "binding the netlink socket".
    public var operation: String
    /// What it was done on, e.g. a path or "NFQUEUE queue 3"; may be empty.
    public var object: String
    /// The kernel's error.
    public var errno: Errno

    /// Creates an error from its parts.
    public init(_ operation: String, object: String = "", errno: Errno) {
        self.operation = operation
        self.object = object
        self.errno = errno
    }

    /// An error from a thrown error: swift-system throws `Errno`; anything else becomes EIO.
    public init(_ operation: String, object: String = "", error: any Error) {
        self.init(operation, object: object, errno: (error as? Errno) ?? .ioError)
    }

    /// An error from the calling thread's current `errno`.
    public static func current(_ operation: String, object: String = "") -> SystemError {
        SystemError(operation, object: object, errno: Errno.current)
    }

    /// `"<operation> <object>: <strerror> (<NAME>)"`.
    public var description: String {
        let subject = object.isEmpty ? operation : "\(operation) \(object)"
        return "\(subject): \(Errno.describe(errno))"
    }
}

extension Errno {
    /// The calling thread's `errno` as an `Errno`.
    public static var current: Errno {
        Errno(rawValue: Glibc.errno)
    }

    /// `"Operation not permitted (EPERM)"`: the C library's text and the symbolic name.
    public static func describe(_ errno: Errno) -> String {
        let names: [Errno: String] = [
            .notPermitted: "EPERM", .noSuchFileOrDirectory: "ENOENT", .interrupted: "EINTR",
            .badFileDescriptor: "EBADF", .resourceTemporarilyUnavailable: "EAGAIN", .noMemory: "ENOMEM",
            .permissionDenied: "EACCES", .resourceBusy: "EBUSY", .fileExists: "EEXIST",
            .invalidArgument: "EINVAL", .noSpace: "ENOSPC", .protocolNotSupported: "EPROTONOSUPPORT",
            .notSupported: "EOPNOTSUPP", .noBufferSpace: "ENOBUFS", .notSocket: "ENOTSOCK",
            .messageTooLong: "EMSGSIZE", .timedOut: "ETIMEDOUT", .connectionRefused: "ECONNREFUSED",
            .networkDown: "ENETDOWN", .outOfRange: "ERANGE", .brokenPipe: "EPIPE", .ioError: "EIO",
        ]
        let name = names[errno] ?? "errno \(errno.rawValue)"
        return "\(errno.description) (\(name))"
    }
}

/// The one errno policy for raw system calls that swift-system does not wrap (sockets, netlink): retry `EINTR`,
/// optionally report `EAGAIN`/`EWOULDBLOCK` as nil, and throw a `SystemError` naming the operation otherwise.
public enum Syscall {
    /// Runs `call` until it does not fail with EINTR.
    /// - Parameters:
    ///   - operation: what is being done (for the error).
    ///   - object: on what.
    ///   - allowAgain: return nil instead of throwing on EAGAIN/EWOULDBLOCK.
    /// - Returns: the call's non-negative result, or nil on EAGAIN with `allowAgain`.
    /// - Throws: `SystemError` for any other failure.
    @discardableResult
    public static func retrying<Result: FixedWidthInteger>(
        _ operation: String, object: String = "", allowAgain: Bool = false, _ call: () -> Result
    ) throws(SystemError) -> Result? {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = Errno.current
            if code == .interrupted { continue }
            if allowAgain, code == .resourceTemporarilyUnavailable || code == .wouldBlock { return nil }
            throw SystemError(operation, object: object, errno: code)
        }
    }
}
