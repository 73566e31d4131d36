#if canImport(Glibc)
import Glibc
#endif

/// Whether root may trust what a file says: its owner must be one root trusts and neither its group nor others may
/// write it. Shared by the block state file (`BlockJournalFile`) and the resolvers' upstream lists (`ResolvConf`).
enum FileTrust {
    /// Why a file or directory with this `stat` is not trusted, or nil: `trusts` decides the owner (`owners` names
    /// the trusted ones in the message), and neither group nor others may write it. `what` leads the message.
    static func problem(_ info: stat, what: String, owners: String, trusts: (UInt32) -> Bool) -> String? {
        if !trusts(info.st_uid) { return "\(what) is owned by uid \(info.st_uid), not by \(owners)" }
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            let who = info.st_mode & S_IWOTH != 0 ? "everyone" : "its group"
            return "\(what) is writable by \(who) (mode \(String(info.st_mode & 0o7777, radix: 8)))"
        }
        return nil
    }
}
