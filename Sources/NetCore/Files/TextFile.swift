import SystemPackage

/// Reads whole files through swift-system's `FileDescriptor` (EINTR retried there), without Foundation.
///
/// Works on files whose `stat` size is 0 (`/proc/net/route`, `/etc/resolv.conf` on some systems) because it reads
/// until end of file.
public enum TextFile {
    /// The file's bytes, at most `limit` of them.
    /// - Throws: `SystemError` naming the path: it cannot be opened or read, or it is larger than `limit`
    ///   when `failAboveLimit` is set.
    public static func readBytes(_ path: String, limit: Int = 64 << 20,
                                 failAboveLimit: Bool = false) throws(SystemError) -> [UInt8] {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch {
            throw SystemError("opening", object: path, error: error)
        }
        defer { try? fd.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count <= limit {
            let count: Int
            do {
                count = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
            } catch {
                throw SystemError("reading", object: path, error: error)
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
        if failAboveLimit { throw SystemError("reading", object: path, errno: .fileTooLarge) }
        return Array(bytes.prefix(limit))
    }

    /// The file's contents decoded as UTF-8 (invalid bytes replaced), at most `limit` bytes.
    /// - Throws: `SystemError` naming the path.
    public static func read(_ path: String, limit: Int = 64 << 20) throws(SystemError) -> String {
        String(decoding: try readBytes(path, limit: limit), as: UTF8.self)
    }
}
