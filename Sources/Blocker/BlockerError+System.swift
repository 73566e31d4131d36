import NetCore
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

    /// `strerror` text plus the symbolic name for the errors nftables users meet most.
    static func errnoText(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        let names: [Int32: String] = [EPERM: "EPERM", ENOENT: "ENOENT", EEXIST: "EEXIST", EINVAL: "EINVAL",
                                      EMSGSIZE: "EMSGSIZE", ENOBUFS: "ENOBUFS", EOPNOTSUPP: "EOPNOTSUPP",
                                      EBUSY: "EBUSY", ENOSPC: "ENOSPC", ERANGE: "ERANGE"]
        if let name = names[code] { return "\(text) (\(name))" }
        return "\(text) (errno \(code))"
    }

    /// True when the kernel answered ENOENT (no such table, set, chain or element).
    public var isNotFound: Bool { errno == ENOENT }
}
