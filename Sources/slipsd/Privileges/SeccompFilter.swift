internal import CSeccomp
#if canImport(Glibc)
import Glibc
#endif

/// Installs the inline daemon's system-call filter (libseccomp) once set-up and the privilege drop are done:
/// the calls of `SeccompAllowlist` are allowed, anything else kills the process (`enforce`,
/// `SCMP_ACT_KILL_PROCESS`) or is logged by the kernel and allowed (`log`, `SCMP_ACT_LOG`).
///
/// The filter applies to every thread (`SCMP_FLTATR_CTL_TSYNC`; the daemon installs it before creating any) and
/// to every thread created later; it cannot be removed. `SCMP_FLTATR_CTL_LOG` asks the kernel to log every
/// action but allow where the kernel supports it (libseccomp API level 3). The thin wrapper over
/// `seccomp_init`, `seccomp_attr_set`, `seccomp_rule_add_array`, `seccomp_load` and `seccomp_release`.
enum SeccompFilter {
    /// What failed, in one line.
    struct Failure: Error, CustomStringConvertible {
        var step: String
        var reason: String
        var description: String { "installing the seccomp filter: \(step): \(reason)" }
    }

    /// Installs the filter for `mode` (nothing for `.off`) and returns the line to log, which names the mode.
    /// - Throws: `Failure` when a call name is unknown to libseccomp or the kernel refuses the filter.
    static func install(mode: SeccompMode, rules: [SeccompRule] = SeccompAllowlist.rules) throws(Failure) -> String {
        let defaultAction: UInt32
        switch mode {
        case .off: return "seccomp: off (daemon.seccomp: off): no system-call filter"
        case .enforce: defaultAction = cseccomp_act_kill_process()
        case .log: defaultAction = cseccomp_act_log()
        }
        guard let context = seccomp_init(defaultAction) else {
            throw Failure(step: "seccomp_init", reason: "libseccomp could not allocate a filter")
        }
        defer { seccomp_release(context) }
        let api = seccomp_api_get()
        try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_TSYNC, 1), "setting SCMP_FLTATR_CTL_TSYNC")
        let logsEverything = api >= 3 && seccomp_attr_set(context, SCMP_FLTATR_CTL_LOG, 1) == 0
        var count = 0
        for rule in rules { count += try add(rule, to: context) }
        do {
            try check(seccomp_load(context), "seccomp_load")
        } catch {
            throw Failure(step: error.step, reason: error.reason + "; the kernel must have seccomp filters "
                          + "(CONFIG_SECCOMP_FILTER), else set daemon.seccomp: off")
        }
        let action = mode == .enforce ? "any other call kills the process (SIGSYS)"
                                      : "other calls are allowed and logged by the kernel (audit type 1326)"
        return "seccomp: \(mode.rawValue): \(rules.count) system calls allowed (\(count) filter rules), \(action)"
            + (logsEverything ? "; kernel logging of filter actions on" : "")
    }

    /// Adds one rule; returns how many filter rules it took.
    private static func add(_ rule: SeccompRule, to context: scmp_filter_ctx) throws(Failure) -> Int {
        let number = seccomp_syscall_resolve_name(rule.name)
        guard number != __NR_SCMP_ERROR else {
            throw Failure(step: "resolving \(rule.name)", reason: "libseccomp knows no system call of that name")
        }
        switch rule.condition {
        case .always:
            try check(seccomp_rule_add_array(context, cseccomp_act_allow(), number, 0, nil), "allowing \(rule.name)")
            return 1
        case .fails(let code):
            try check(seccomp_rule_add_array(context, cseccomp_act_errno(UInt16(code)), number, 0, nil),
                      "refusing \(rule.name)")
            return 1
        case .argumentHasBits(let index, let mask):
            var compare = scmp_arg_cmp(arg: index, op: SCMP_CMP_MASKED_EQ, datum_a: mask, datum_b: mask)
            try check(seccomp_rule_add_array(context, cseccomp_act_allow(), number, 1, &compare),
                      "allowing \(rule.name) with bits \(mask) of argument \(index)")
            return 1
        case .argumentIn(let index, let values):
            for value in values {
                var compare = scmp_arg_cmp(arg: index, op: SCMP_CMP_EQ, datum_a: value, datum_b: 0)
                try check(seccomp_rule_add_array(context, cseccomp_act_allow(), number, 1, &compare),
                          "allowing \(rule.name) with argument \(index) = \(value)")
            }
            return values.count
        }
    }

    /// libseccomp returns 0 or a negative errno.
    private static func check(_ result: Int32, _ step: String) throws(Failure) {
        guard result < 0 else { return }
        throw Failure(step: step, reason: String(cString: strerror(-result)) + " (\(-result))")
    }

    /// Whether libseccomp resolves `name` to a system call (for tests of the allowlist).
    static func knows(_ name: String) -> Bool {
        seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR
    }
}
