import NetCore
import SystemPackage

/// The daemon's own errors (control socket, set-up, wiring), one line each: what was being done, on what, why.
struct SlipsdError: Error, CustomStringConvertible {
    /// What was being done, e.g. "binding control socket".
    var operation: String
    /// On what: a path, a queue, an interface.
    var object: String
    /// Why.
    var reason: String

    init(_ operation: String, object: String, reason: String) {
        self.operation = operation; self.object = object; self.reason = reason
    }

    /// A NetCore failure in the daemon's terms.
    init(_ error: SystemError) {
        self.init(error.operation, object: error.object, reason: Errno.describe(error.errno))
    }

    /// A failed system call, from the calling thread's `errno`.
    static func current(_ operation: String, object: String) -> SlipsdError {
        SlipsdError(SystemError.current(operation, object: object))
    }

    var description: String { object.isEmpty ? "\(operation): \(reason)" : "\(operation) \(object): \(reason)" }
}
