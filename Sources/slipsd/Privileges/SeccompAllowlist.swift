internal import CSeccomp
#if canImport(Glibc)
import Glibc
#endif

/// The system calls the inline daemon makes once it is set up and has dropped privileges: everything else kills
/// it (`daemon.seccomp: enforce`). Measured with `strace -f -c` and `daemon.seccomp: log` over the whole inline
/// scenario (block, `--list-blocked`, `--unblock`, `--status`, SIGHUP reload, rtnetlink events, outputs, SIGTERM);
/// see the README's seccomp section. Not here on purpose: execve, fork (clone without CLONE_THREAD), ptrace,
/// mount, and sockets of any family but AF_UNIX and AF_NETLINK.
enum SeccompAllowlist {
    /// The rules, grouped by why the daemon needs them.
    static let rules: [SeccompRule] =
        memory + threads + signals + time + files + stateFiles + sockets + identity

    /// The Swift runtime's and glibc's allocator.
    static let memory: [SeccompRule] = [
        .init("brk"), .init("mmap"), .init("munmap"), .init("mprotect"), .init("mremap"), .init("madvise"),
    ]

    /// Packet, watchdog, detection, self-protection and control threads are created after the filter: clone only
    /// for threads (CLONE_THREAD set, so no fork or posix_spawn), clone3 refused with ENOSYS so glibc uses clone
    /// (clone3's flags sit in memory, where a filter cannot read them). Locks, thread exit, names.
    static let threads: [SeccompRule] = [
        .init("clone", .argumentHasBits(index: 0, mask: cseccomp_clone_thread())),
        .init("clone3", .fails(errno: ENOSYS)),
        .init("set_robust_list"), .init("rseq"), .init("futex"), .init("exit"), .init("exit_group"),
        .init("gettid"), .init("getpid"), .init("sched_yield"),
        // pthread_setname_np on the calling thread: prctl(PR_SET_NAME) only.
        .init("prctl", .argumentIn(index: 0, values: [cseccomp_pr_set_name()])),
    ]

    /// SIGTERM/SIGINT/SIGHUP handlers and the runtime's masks; tgkill for abort().
    static let signals: [SeccompRule] = [
        .init("rt_sigaction"), .init("rt_sigprocmask"), .init("rt_sigreturn"), .init("tgkill"),
        // The kernel resumes a sleep or poll interrupted by a stop (SIGSTOP/SIGCONT, a debugger) with it: without
        // it, `kill -STOP` then `kill -CONT` killed the daemon (measured).
        .init("restart_syscall"),
    ]

    /// Poll timeouts and sleeps (usleep and nanosleep are clock_nanosleep), timestamps (the vDSO; the calls are
    /// its fallback), random numbers for ids and hashing.
    static let time: [SeccompRule] = [
        .init("clock_nanosleep"), .init("clock_gettime"), .init("gettimeofday"), .init("getrandom"),
    ]

    /// Outputs (alerts, slipsd.log, flows, stderr), SIGHUP's re-read of the configuration and whitelist with the
    /// trusted-path checks (stat, realpath's readlink, access), /proc for `--status`, /etc/resolv.conf for
    /// self-protection. faccessat and readlinkat are what other architectures have instead of access and readlink.
    static let files: [SeccompRule] = [
        .init("openat"), .init("close"), .init("read"), .init("write"), .init("lseek"), .init("fstat"),
        .init("newfstatat"), .init("readlink"), .init("readlinkat"), .init("access"), .init("faccessat"),
        // The threat-intelligence refresh lists the download path.
        .init("getdents64"),
    ]

    /// NFQUEUE verdicts, nftables transactions and rtnetlink (self-protection) over AF_NETLINK, opened and bound
    /// per transaction; the control socket (accept) and systemd's notify socket (sendto) over AF_UNIX. No other
    /// family, no connect. ppoll and accept4 are poll and accept on other architectures.
    static let sockets: [SeccompRule] = [
        .init("socket", .argumentIn(index: 0, values: [UInt64(AF_UNIX), UInt64(AF_NETLINK)])),
        .init("bind"), .init("accept"), .init("accept4"), .init("sendto"), .init("recvfrom"), .init("recvmsg"),
        .init("setsockopt"), .init("getsockopt"), .init("getsockname"), .init("poll"), .init("ppoll"),
    ]

    /// The block state file (`blocking.state_file`): written atomically (temp file, fsync, rename, directory
    /// fsync, given to the daemon's user), serialised by a lock on its directory, a bad file renamed aside; and
    /// the control socket and its stale-socket handling, removed at exit. renameat2, unlinkat and mkdirat are
    /// what glibc or other architectures use for rename, unlink and mkdir.
    static let stateFiles: [SeccompRule] = [
        .init("flock"), .init("fsync"), .init("fdatasync"), .init("rename"), .init("renameat"), .init("renameat2"),
        .init("unlink"), .init("unlinkat"), .init("mkdir"), .init("mkdirat"), .init("fchown"), .init("fchmod"),
        .init("ftruncate"), .init("statx"),
        // Non-blocking control connections and close-on-exec flags: only reading and setting file flags.
        .init("fcntl", .argumentIn(index: 1, values: [UInt64(F_GETFL), UInt64(F_SETFL), UInt64(F_GETFD),
                                                       UInt64(F_SETFD)])),
    ]

    /// The trusted-path checks of a reloaded file compare owners with the running user.
    static let identity: [SeccompRule] = [
        .init("getuid"), .init("geteuid"),
    ]
}
