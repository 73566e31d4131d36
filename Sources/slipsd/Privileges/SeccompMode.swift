/// `daemon.seccomp`: what the inline daemon's system-call filter does with a call outside its allowlist.
enum SeccompMode: String, CaseIterable, Sendable {
    /// Kill the whole process (`SCMP_ACT_KILL_PROCESS`, SIGSYS): the default.
    case enforce
    /// Allow the call but have the kernel log it (`SCMP_ACT_LOG`, audit type 1326 in the kernel log), to find
    /// calls missing from the allowlist.
    case log
    /// No filter.
    case off
}
