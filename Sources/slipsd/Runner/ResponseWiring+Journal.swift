import Blocker
import NetCore
#if canImport(Glibc)
import Glibc
#endif

extension ResponseWiring {
    /// The state file of `blocking.state_file` (blocks that survive a reboot), or nil, with the lines to log.
    ///
    /// Disabled by `state_file: none`. The default (`/var/lib/slipsd/blocks.json`) is used only when its directory
    /// exists — systemd's `StateDirectory=slipsd` creates it, owned by the service's user — so a run without it
    /// never creates directories in /var/lib; a path set in the configuration gets its last directory created
    /// (mode 0700, owned by `daemonUser`) when `create` is true. The directories above the state directory must be
    /// trusted as for the configuration (`TrustedPath`); the file and its directory must be owned by root or
    /// `daemonUser` and writable by nobody else (`BlockJournal`).
    /// - Parameters:
    ///   - daemonUser: the user the daemon runs as after the privilege drop (nil: it stays root).
    ///   - create: create a configured directory that is missing (the daemon; not `--block`).
    static func journal(settings: SlipsdSettings, daemonUser: String?, create: Bool) -> (BlockJournal?, [String]) {
        let path = settings.blocking.stateFile
        guard !path.isEmpty else {
            return (nil, ["blocks are kept in the kernel only (blocking.state_file: none): a reboot lifts them"])
        }
        let owner = daemonUser.flatMap { name in getpwnam(name).map { ($0.pointee.pw_uid, $0.pointee.pw_gid) } }
        let journal = BlockJournal(path: path, trustedOwners: Set([0] + (owner.map { [$0.0] } ?? [])))
        let directory = parent(of: path)
        var info = stat()
        if lstat(directory, &info) != 0 {
            guard settings.blocking.stateFileWasSet, create else {
                return (nil, ["state directory \(directory) does not exist: blocks are kept in the kernel only and "
                              + "a reboot lifts them (create it owned by slipsd's user, or set blocking.state_file)"])
            }
            if let problem = TrustedPath.problem(with: parent(of: directory)) {
                return (nil, ["not using the state file \(path): \(problem)"])
            }
            do { try journal.prepareDirectory(owner: owner.map { (uid: $0.0, gid: $0.1) }) } catch {
                return (nil, ["not using the state file \(path): \(error)"])
            }
            return (journal, ["created the state directory \(directory) for \(path)"])
        }
        if let problem = TrustedPath.problem(with: parent(of: directory)) {
            return (nil, ["not using the state file \(path): \(problem)"])
        }
        if let owner, owner.0 != 0, info.st_uid != owner.0 {
            return (journal, ["WARNING: the state directory \(directory) is owned by uid \(info.st_uid), not by "
                              + "\(daemonUser ?? "the daemon's user") (uid \(owner.0)): blocks are restored now, but new ones "
                              + "cannot be recorded after the privilege drop (chown it to that user)"])
        }
        return (journal, [])
    }

    /// The directory part of an absolute path ("/" for a file at the root).
    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
