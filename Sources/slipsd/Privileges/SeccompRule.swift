/// One entry of the inline daemon's system-call allowlist: a call by name, and what arguments it may have.
struct SeccompRule: Sendable {
    /// What the filter does with the call.
    enum Condition: Sendable {
        /// Allowed with any arguments.
        case always
        /// Allowed when argument `index` equals one of `values` (one filter rule per value).
        case argumentIn(index: UInt32, values: [UInt64])
        /// Allowed when argument `index`, masked with `mask`, equals `mask` (every bit of the mask set).
        case argumentHasBits(index: UInt32, mask: UInt64)
        /// Refused with this errno (the caller has a fallback, e.g. glibc falls back from clone3 to clone).
        case fails(errno: Int32)
    }

    /// The system call's name as libseccomp knows it (`seccomp_syscall_resolve_name`).
    let name: String
    let condition: Condition

    init(_ name: String, _ condition: Condition = .always) {
        self.name = name
        self.condition = condition
    }
}
