import CPrivileges
#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a control connection, as the kernel recorded it when the peer connected: its uid
/// and primary gid (SO_PEERCRED) and its supplementary groups (SO_PEERGROUPS, Linux 4.13 and later; where the
/// kernel lacks it, the group database's list for the uid, `getgrouplist`).
struct ControlPeer: Equatable, Sendable {
    var uid: uid_t
    var gid: gid_t
    var groups: [gid_t]

    /// Most supplementary groups read (the kernel's own limit, NGROUPS_MAX, is 65536).
    static let maxGroups = 65536

    /// The peer of connected socket `fd`, or nil when the kernel does not say.
    static func of(_ fd: Int32) -> ControlPeer? {
        var uid: UInt32 = 0, gid: UInt32 = 0
        guard cpriv_peer_credentials(fd, &uid, &gid) == 0 else { return nil }
        let groups = peerGroups(fd) ?? databaseGroups(uid: uid, gid: gid)
        return ControlPeer(uid: uid, gid: gid, groups: groups)
    }

    /// Root, or a member of `group` — as primary or supplementary group — when a control group is configured.
    func isAllowed(group: gid_t?) -> Bool {
        if uid == 0 { return true }
        guard let group else { return false }
        return gid == group || groups.contains(group)
    }

    /// SO_PEERGROUPS: the groups the peer had when it connected; nil when the kernel lacks the option.
    private static func peerGroups(_ fd: Int32) -> [gid_t]? {
        var capacity = 64
        while capacity <= maxGroups {
            var groups = [gid_t](repeating: 0, count: capacity)
            var length = socklen_t(capacity * MemoryLayout<gid_t>.size)
            let rc = groups.withUnsafeMutableBytes { getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, $0.baseAddress, &length) }
            if rc == 0 { return Array(groups.prefix(Int(length) / MemoryLayout<gid_t>.size)) }
            // ERANGE: the kernel wrote the length it needs.
            guard errno == ERANGE, Int(length) / MemoryLayout<gid_t>.size > capacity else { return nil }
            capacity = Int(length) / MemoryLayout<gid_t>.size
        }
        return nil
    }

    /// The groups the group database gives the peer's user (getpwuid_r, getgrouplist): a fallback only, as it
    /// reflects /etc/group now, not the peer's credentials.
    private static func databaseGroups(uid: uid_t, gid: gid_t) -> [gid_t] {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var text = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(uid, &entry, &text, text.count, &found) == 0, found != nil, let name = entry.pw_name else {
            return []
        }
        var count: Int32 = 256
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, gid, &groups, &count) < 0 {
            guard count > 0, Int(count) <= maxGroups else { return [] }
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, gid, &groups, &count) >= 0 else { return [] }
        }
        return Array(groups.prefix(Int(count)))
    }
}
