import SystemPackage

/// An output file written through a buffer: appends are cheap, `flush()` writes (its owner calls it at least once
/// per second) and `close()` writes the rest, so a killed run loses at most the last second.
///
/// Write errors are not dropped: `flush()` and `close()` throw the first one, it stays readable in `lastError`,
/// and bytes that could not be written are kept (up to `maximumPending`, then the oldest are discarded and
/// counted in `discardedBytes`) so a transient ENOSPC loses nothing that fits. Confined to its owning thread.
public final class BufferedFileWriter {
    /// The file's path.
    public let path: String
    private var fd: FileDescriptor
    private let permissions: FilePermissions
    private var buffer: [UInt8] = []
    private var closed = false
    /// Above this many buffered bytes an append writes the buffer out.
    public let flushThreshold: Int
    /// Bytes kept while writes fail; beyond this the oldest are discarded.
    public let maximumPending: Int
    /// The last write error, if any (cleared by a successful flush).
    public private(set) var lastError: SystemError?
    /// Bytes discarded because writes kept failing.
    public private(set) var discardedBytes: UInt64 = 0

    /// Creates (or truncates / appends to) `path`.
    /// - Parameters:
    ///   - truncate: start empty (true) or append (false).
    ///   - permissions: mode for a new file (0640 by default).
    /// - Throws: `SystemError` naming the path.
    public init(path: String, truncate: Bool = true, permissions: FilePermissions = [.ownerReadWrite, .groupRead],
                flushThreshold: Int = 1 << 16, maximumPending: Int = 64 << 20) throws(SystemError) {
        self.path = path
        self.flushThreshold = flushThreshold
        self.maximumPending = maximumPending
        self.permissions = permissions
        do {
            // O_APPEND also when truncating, so a logrotate `copytruncate` leaves no hole; O_NOFOLLOW so a
            // symbolic link planted where an output file goes is refused (ELOOP), not followed.
            fd = try FileDescriptor.open(FilePath(path), .writeOnly,
                                         options: truncate ? [.create, .truncate, .append, .closeOnExec, .noFollow]
                                                           : [.create, .append, .closeOnExec, .noFollow],
                                         permissions: permissions)
        } catch {
            throw SystemError("creating", object: path, error: error)
        }
        buffer.reserveCapacity(flushThreshold)
    }

    deinit { try? close() }

    /// Appends raw bytes; writes out when the buffer passed `flushThreshold` (an error stays in `lastError`).
    public func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try? flush() }
    }

    /// Appends the bytes of an array: one memory copy (the generic `write` goes element by element when it is called
    /// from another module, where it cannot be specialised).
    public func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try? flush() }
    }

    /// Appends a line (a newline is added).
    public func writeLine(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= flushThreshold { try? flush() }
    }

    /// Writes out what is buffered (`write` retried on EINTR by swift-system).
    /// - Throws: `SystemError` naming the path; unwritten bytes stay buffered.
    public func flush() throws(SystemError) {
        guard !closed, !buffer.isEmpty else { return }
        var written = 0
        do {
            try buffer.withUnsafeBytes { raw in
                while written < raw.count {
                    written += try fd.write(UnsafeRawBufferPointer(rebasing: raw[written...]))
                }
            }
            buffer.removeAll(keepingCapacity: true)
            lastError = nil
        } catch {
            buffer.removeFirst(written)
            let failure = SystemError("writing", object: path, error: error)
            lastError = failure
            if buffer.count > maximumPending {
                let excess = buffer.count - maximumPending
                buffer.removeFirst(excess)
                discardedBytes &+= UInt64(excess)
            }
            throw failure
        }
    }

    /// After log rotation (SIGHUP): writes out what is buffered to the old file, then opens `path` again —
    /// appending, creating it if rotation moved it away, never following a symbolic link — and closes the old
    /// descriptor. When the new open fails the old file stays in use and the error is thrown.
    /// - Throws: `SystemError` naming the path.
    public func reopen() throws(SystemError) {
        guard !closed else { return }
        try? flush()
        let reopened: FileDescriptor
        do {
            reopened = try FileDescriptor.open(FilePath(path), .writeOnly,
                                               options: [.create, .append, .closeOnExec, .noFollow],
                                               permissions: permissions)
        } catch {
            throw SystemError("reopening", object: path, error: error)
        }
        try? fd.close()
        fd = reopened
    }

    /// Flushes and closes; later calls do nothing.
    /// - Throws: the flush's or `close`'s `SystemError`.
    public func close() throws(SystemError) {
        guard !closed else { return }
        defer {
            closed = true
            try? fd.close()
        }
        try flush()
    }
}
