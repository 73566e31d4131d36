#if canImport(Glibc)
import Glibc
#endif

/// Reads small text files such as /proc/net/route and /etc/resolv.conf (whose `stat` size may be 0) with
/// `open`/`read`, without Foundation.
enum TextFile {
    /// The file's contents decoded as UTF-8 (invalid bytes replaced), at most `limit` bytes.
    /// - Throws: `BlockerError` naming the path and the errno.
    static func read(_ path: String, limit: Int = 4 << 20) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BlockerError.system("reading \(path)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count < limit {
            let count = try chunk.withUnsafeMutableBytes { raw in
                try NetlinkSocket.retrying("reading \(path)") { Glibc.read(fd, raw.baseAddress, raw.count) }
            }
            guard let count, count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes.prefix(limit), as: UTF8.self)
    }
}
