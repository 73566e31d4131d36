import NetCore
import Records
#if canImport(Glibc)
import Glibc
#endif

/// One log of a Zeek directory being merged: its reader, its parser and the next record it holds (at most one,
/// so merging a directory keeps one record per log in memory). Confined to the reading thread.
final class ZeekLogCursor {
    /// The log's path.
    let path: String
    /// Its kind.
    let kind: ZeekLogKind
    private(set) var reader: FlowLineReader
    var parser: any FlowLineParser
    /// The next record of this log, not yet handed on.
    var pending: Record?
    /// The inode and device of the file the reader has open (follow mode: a different one at the path means the
    /// log was rotated).
    private var identity: (device: UInt64, inode: UInt64)

    /// Opens `path`.
    /// - Throws: `CaptureError` when it cannot be opened.
    init(path: String, kind: ZeekLogKind, follow: Bool) throws(CaptureError) {
        self.path = path
        self.kind = kind
        reader = try FlowLineReader(path: path)
        reader.follow = follow
        parser = kind.makeParser()
        identity = Self.identity(of: reader.fd)
    }

    /// Follow mode: true when the file at the path is no longer the one being read (replaced by a new file), or
    /// it became shorter than what was read (truncated in place).
    var wasRotated: Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }         // moved away, not yet recreated: read on
        if UInt64(info.st_dev) != identity.device || UInt64(info.st_ino) != identity.inode { return true }
        return Int(info.st_size) < reader.bytesRead
    }

    /// Starts again on the file now at the path, from its first line, with a fresh parser (a rotated log begins
    /// with its own headers).
    /// - Returns: the bytes read from the old file.
    func reopen() throws(CaptureError) -> Int {
        let old = reader.bytesRead
        let fresh = try FlowLineReader(path: path)
        fresh.follow = reader.follow
        reader = fresh
        parser = kind.makeParser()
        identity = Self.identity(of: reader.fd)
        return old
    }

    private static func identity(of fd: Int32) -> (device: UInt64, inode: UInt64) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return (0, 0) }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }
}
