import CPrivileges
#if canImport(Glibc)
import Glibc
#endif

/// Switches the daemon to an unprivileged user after set-up, keeping only the capabilities it cannot live
/// without: CAP_NET_ADMIN for inline/blocking (the kernel checks it on every NFQUEUE verdict and nftables
/// message, per sending thread), nothing for passive capture.
///
/// Capabilities are per thread: call `drop` on the main thread before any other thread, `await` or Dispatch use
/// exists; threads created afterwards inherit the reduced set. `drop` refuses to run when other threads exist.
enum PrivilegeDrop {
    /// CAP_NET_ADMIN's bit.
    static let netAdmin = 12

    /// What failed, in one line.
    struct Failure: Error, CustomStringConvertible {
        var step: String
        var reason: String
        var description: String { "dropping privileges: \(step): \(reason)" }
    }

    /// The process's credentials and capabilities as /proc/self/status reports them.
    struct State: CustomStringConvertible {
        var uids: [UInt32] = []
        var gids: [UInt32] = []
        var groups: [UInt32] = []
        var capEff: UInt64 = 0, capPrm: UInt64 = 0, capInh: UInt64 = 0, capBnd: UInt64 = 0, capAmb: UInt64 = 0
        var noNewPrivs = false
        var threads = 0

        var description: String {
            "uid \(uids.map(String.init).joined(separator: "/")) gid \(gids.map(String.init).joined(separator: "/")) "
                + "CapEff \(hex(capEff)) CapPrm \(hex(capPrm)) CapBnd \(hex(capBnd)) CapAmb \(hex(capAmb)) "
                + "NoNewPrivs \(noNewPrivs ? 1 : 0) threads \(threads)"
        }

        private func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, 16 - s.count)) + s
        }
    }

    /// Reads /proc/self/status and counts /proc/self/task.
    static func currentState() -> State {
        var state = State()
        let text = (try? ConfigLoader.readFile("/proc/self/status")) ?? ""
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let value = String(parts[1].drop { $0 == " " || $0 == "\t" })
            let numbers = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
            switch parts[0] {
            case "Uid": state.uids = numbers
            case "Gid": state.gids = numbers
            case "Groups": state.groups = numbers
            case "CapEff": state.capEff = UInt64(value, radix: 16) ?? 0
            case "CapPrm": state.capPrm = UInt64(value, radix: 16) ?? 0
            case "CapInh": state.capInh = UInt64(value, radix: 16) ?? 0
            case "CapBnd": state.capBnd = UInt64(value, radix: 16) ?? 0
            case "CapAmb": state.capAmb = UInt64(value, radix: 16) ?? 0
            case "NoNewPrivs": state.noNewPrivs = value == "1"
            case "Threads": state.threads = Int(value) ?? 0
            default: break
            }
        }
        return state
    }

    /// The user to switch to. There is no silent fallback to a shared uid such as `nobody` (any process running
    /// as that user could signal or trace slipsd): `nobody` is used only when asked for by name.
    /// - Returns: (name, uid, gid).
    static func resolveUser(_ preferred: String) throws(Failure) -> (String, uid_t, gid_t) {
        if let entry = getpwnam(preferred) {
            return (preferred, entry.pointee.pw_uid, entry.pointee.pw_gid)
        }
        throw Failure(step: "looking up user", reason: "user '\(preferred)' does not exist; create it with "
                      + "`useradd --system --no-create-home --shell /usr/sbin/nologin \(preferred)` (make install does), "
                      + "or name another with --user (a shared user such as nobody only if you accept that every "
                      + "process running as it can signal slipsd)")
    }

    /// Drops to `user` keeping only the capabilities in `keep` (bit numbers), then verifies the result.
    /// - Returns: the user name actually used and the state after the drop.
    @discardableResult
    static func drop(to user: String, keep: [Int]) throws(Failure) -> (String, State) {
        let before = currentState()
        guard before.threads <= 1 else {
            throw Failure(step: "checking threads",
                          reason: "\(before.threads) threads exist; the drop must happen before any other thread starts (capabilities are per thread)")
        }
        let (name, uid, gid) = try resolveUser(user)
        guard uid != 0 else { throw Failure(step: "looking up user", reason: "'\(name)' is root") }
        let keepMask = keep.reduce(UInt64(0)) { $0 | (1 << UInt64($1)) }
        if getuid() != 0, geteuid() != 0 {
            return (name, try keepOnly(keepMask, alreadyRunningAs: uid, name: name, state: before))
        }
        let lastCap = Int((try? ConfigLoader.readFile("/proc/sys/kernel/cap_last_cap"))?
            .filter(\.isNumber) ?? "40") ?? 40
        for cap in 0...lastCap where (keepMask & (1 << UInt64(cap))) == 0 {
            try check(cpriv_capbset_drop(Int32(cap)), "reducing the bounding set (capability \(cap))")
        }
        try check(cpriv_clear_ambient(), "clearing ambient capabilities")
        try check(cpriv_set_keepcaps(1), "PR_SET_KEEPCAPS")
        try check(cpriv_clear_groups(), "clearing supplementary groups")
        try check(cpriv_setresgid(gid), "setresgid(\(gid))")
        try check(cpriv_setresuid(uid), "setresuid(\(uid))")
        try check(cpriv_capset(keepMask), "capset(\(keep))")
        try check(cpriv_set_keepcaps(0), "clearing PR_SET_KEEPCAPS")
        try check(cpriv_set_no_new_privs(), "PR_SET_NO_NEW_PRIVS")
        let after = currentState()
        try verify(after, keepMask: keepMask)
        return (name, after)
    }

    /// Started unprivileged — by systemd with `User=` and `AmbientCapabilities=CAP_NET_ADMIN` (the shipped unit) —
    /// there is no user to switch: keep only `keepMask` of what was given, clear the ambient set so nothing slipsd
    /// might start inherits it, set no_new_privs, and verify as after a switch. The bounding set must already be
    /// reduced to `keepMask` (the unit's `CapabilityBoundingSet=`): without CAP_SETPCAP it cannot be changed.
    private static func keepOnly(_ keepMask: UInt64, alreadyRunningAs uid: uid_t, name: String,
                                 state before: State) throws(Failure) -> State {
        guard getuid() == uid else {
            throw Failure(step: "switching user",
                          reason: "started as uid \(getuid()), not root, so it cannot become '\(name)' (uid \(uid)); start it as root or as '\(name)'")
        }
        guard before.capPrm & keepMask == keepMask else {
            throw Failure(step: "keeping capabilities",
                          reason: "started without the capabilities it needs (CapPrm \(String(before.capPrm, radix: 16))): run as root, or give the service AmbientCapabilities=CAP_NET_ADMIN")
        }
        try check(cpriv_clear_ambient(), "clearing ambient capabilities")
        try check(cpriv_capset(keepMask), "capset(\(keepMask))")
        try check(cpriv_set_no_new_privs(), "PR_SET_NO_NEW_PRIVS")
        let after = currentState()
        try verify(after, keepMask: keepMask)
        return after
    }

    /// Refuses a state that is not exactly: non-root ids, no groups, effective = permitted = bounding = kept,
    /// no ambient or inheritable capabilities, no_new_privs set.
    static func verify(_ state: State, keepMask: UInt64) throws(Failure) {
        guard !state.uids.isEmpty, !state.uids.contains(0) else { throw Failure(step: "verifying", reason: "a uid is still 0 (\(state))") }
        guard !state.gids.contains(0) else { throw Failure(step: "verifying", reason: "a gid is still 0 (\(state))") }
        guard state.groups.isEmpty else { throw Failure(step: "verifying", reason: "supplementary groups remain (\(state))") }
        guard state.capEff == keepMask, state.capPrm == keepMask else {
            throw Failure(step: "verifying", reason: "capabilities are not exactly the kept set (\(state))")
        }
        guard state.capBnd == keepMask, state.capAmb == 0, state.capInh == 0 else {
            throw Failure(step: "verifying", reason: "bounding/ambient/inheritable sets not reduced (\(state))")
        }
        guard state.noNewPrivs else { throw Failure(step: "verifying", reason: "no_new_privs is not set") }
    }

    private static func check(_ rc: Int32, _ step: String) throws(Failure) {
        guard rc == 0 else { throw Failure(step: step, reason: String(cString: strerror(-rc))) }
    }
}
