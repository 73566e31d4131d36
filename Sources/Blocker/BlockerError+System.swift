import NetCore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

extension BlockerError {
    /// An error for a failed system or netlink call: the reason is the errno's text (`strerror`).
    /// - Parameters:
    ///   - operation: what was being done, e.g. "adding 3 elements to set inet slipsd blocked4".
    ///   - code: the errno; defaults to the calling thread's current `errno`.
    static func system(_ operation: String, errno code: Int32 = Glibc.errno) -> BlockerError {
        BlockerError(operation: operation, reason: errnoText(code), errno: code)
    }

    /// The C library's text and the symbolic name: NetCore's one errno table.
    static func errnoText(_ code: Int32) -> String { Errno.describe(Errno(rawValue: code)) }

    /// A NetCore failure (the netlink socket, a file) in the Blocker's terms.
    public init(_ error: SystemError) {
        let operation = error.object.isEmpty ? error.operation : "\(error.operation) \(error.object)"
        self.init(operation: operation, reason: Errno.describe(error.errno), errno: error.errno.rawValue)
    }

    /// Runs `body`, turning a NetCore `SystemError` into a `BlockerError`.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SystemError {
            throw BlockerError(error)
        }
    }

    /// True when the kernel answered ENOENT (no such table, set, chain or element).
    public var isNotFound: Bool { errno == ENOENT }
}
