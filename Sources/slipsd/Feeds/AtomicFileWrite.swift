import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// Replacing a file in one step: the bytes go to a new temporary file beside it (`.NAME.partial-PID`, created
/// exclusively, links not followed), are flushed to disk, and the file is renamed over the old one — a reader
/// sees the old copy or the new one, never a part; a failure removes the temporary file and leaves the old one.
enum AtomicFileWrite {
    /// Writes `bytes` to `path` atomically (mode 0644: feeds are not secret).
    /// - Throws: `SlipsdError` naming the step that failed.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = directory + "/." + name + ".partial-\(getpid())"
        unlink(temporary)                                   // a leftover of an earlier run of this process id
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SlipsdError.current("creating", object: temporary) }
        var failure: SlipsdError?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = SlipsdError.current("writing", object: temporary)
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = SlipsdError.current("flushing", object: temporary) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = SlipsdError.current("renaming over", object: path) }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }
}
