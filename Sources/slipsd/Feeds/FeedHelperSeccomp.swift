#if canImport(Glibc)
import Glibc
#endif

/// The feed helper's system-call filter (`slipsd --feed-helper`, issue 12), installed before its first request
/// in the daemon's `daemon.seccomp` mode (enforce: anything else kills it). The daemon's allowlist without its
/// socket rules, plus what an HTTP(S) client needs: internet and name-resolution sockets (`AF_INET`,
/// `AF_INET6`, `AF_UNIX` for nscd, `AF_NETLINK` for getaddrinfo's address check), connect, NIO's epoll event
/// loop (eventfd, timerfd), and the few calls its threads make at start (scheduler affinity, priority, cgroup
/// statfs for the core count). Measured with `strace -f` over a helper download (see the README). Not here:
/// execve, fork (clone without CLONE_THREAD), ptrace, mount, raw or packet sockets, capset, getppid (the
/// self-test's probe).
enum FeedHelperSeccomp {
    /// The rules.
    static let rules: [SeccompRule] = SeccompAllowlist.memory + SeccompAllowlist.threads + SeccompAllowlist.signals
        + SeccompAllowlist.time + SeccompAllowlist.files + SeccompAllowlist.stateFiles + SeccompAllowlist.identity
        + network + eventLoop

    /// Connections to feed servers and their names' resolution (UDP/TCP to the resolver, /etc/hosts).
    static let network: [SeccompRule] = [
        .init("socket", .argumentIn(index: 0, values: [UInt64(AF_UNIX), UInt64(AF_INET), UInt64(AF_INET6),
                                                       UInt64(AF_NETLINK)])),
        .init("connect"), .init("bind"), .init("sendto"), .init("sendmsg"), .init("sendmmsg"), .init("recvfrom"),
        .init("recvmsg"), .init("recvmmsg"), .init("setsockopt"), .init("getsockopt"), .init("getsockname"),
        .init("getpeername"), .init("shutdown"), .init("poll"), .init("ppoll"), .init("writev"), .init("readv"),
        .init("pread64"),
        // Non-blocking sockets, bytes pending, and isatty's check of standard output.
        .init("ioctl", .argumentIn(index: 1, values: [UInt64(FIONBIO), UInt64(FIONREAD), UInt64(TCGETS)])),
    ]

    /// SwiftNIO's event loop threads.
    static let eventLoop: [SeccompRule] = [
        .init("epoll_create"), .init("epoll_create1"), .init("epoll_ctl"), .init("epoll_wait"), .init("epoll_pwait"),
        .init("eventfd2"), .init("timerfd_create"), .init("timerfd_settime"), .init("pipe2"),
        .init("sched_getaffinity"), .init("setpriority"), .init("statfs"), .init("prlimit64"), .init("sigaltstack"),
        .init("set_tid_address"), .init("uname"),
        // NIO reads its thread names (PR_GET_NAME, 16); the daemon's rules allow only setting them.
        .init("prctl", .argumentIn(index: 0, values: [16])),
    ]
}
