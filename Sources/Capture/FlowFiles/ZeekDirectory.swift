#if canImport(Glibc)
import Glibc
#endif

/// The logs of a Zeek directory, sorted by what slipsd does with them: one log per kind Slips reads (conn, http,
/// ssl, x509, ssh, smtp, dhcp, arp, notice, software, files, weird, tunnel, ftp) is read; dns and login are counted
/// as not read yet; the rest (capture_loss, loaded_scripts, packet_filter, reporter, stats, …) Slips does not read
/// either and are ignored. Logs are `KIND.log` or `KIND.log.labeled` (`.log` wins when both are there).
struct ZeekDirectory {
    /// The logs to read, in kind order.
    var logs: [(path: String, kind: ZeekLogKind)] = []
    /// Logs of kinds slipsd reads in a later version, with their kind.
    var notReadYet: [(path: String, kind: String)] = []
    /// Files that are no log Slips reads (and a second log of a kind).
    var ignored: [String] = []

    /// The conn log, if any.
    var connLog: String? { logs.first { $0.kind == .conn }?.path }

    /// Lists `directory`.
    /// - Throws: `CaptureError` when it cannot be opened.
    init(directory: String) throws(CaptureError) {
        guard let handle = opendir(directory) else { throw CaptureError.system("opening directory", object: directory, errno: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        var chosen: [ZeekLogKind: String] = [:]
        for name in names.sorted() {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard Self.isRegularFile(path) else { continue }
            guard name.hasSuffix(".log") || name.hasSuffix(".log.labeled") else { ignored.append(name); continue }
            guard let kind = ZeekLogKind.named(String(name.prefix { $0 != "." })) else { ignored.append(name); continue }
            if chosen[kind] != nil {                 // `conn.log` sorts before `conn.log.labeled`: the first is kept
                ignored.append(name)
                continue
            }
            chosen[kind] = path
        }
        for kind in ZeekLogKind.allCases {
            guard let path = chosen[kind] else { continue }
            if kind.isRead { logs.append((path, kind)) } else { notReadYet.append((path, kind.rawValue)) }
        }
    }

    /// The last component of `path` (`conn.log` of `dir/conn.log`), without Foundation.
    static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The log kind of a single Zeek file from its name (`conn.log`, `dns.log.labeled` → `conn`, `dns`): a Slips
    /// kind when the name starts with one, else `conn` (a renamed conn log).
    static func kind(ofFile path: String) -> String {
        let name = lastComponent(path)
        let kind = String(name.prefix { $0 != "." })
        return ZeekLogKind.named(kind) != nil ? kind : "conn"
    }
}
