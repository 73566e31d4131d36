#if canImport(Glibc)
import Glibc
#endif

/// The logs of a Zeek directory, sorted by what slipsd does with them: the conn log is read; the other kinds Slips
/// reads (dns, http, ssl, x509, ssh, smtp, dhcp, arp, notice, software, files, weird, tunnel, login, ftp) are
/// counted as not read yet; the rest (capture_loss, loaded_scripts, packet_filter, reporter, stats, …) Slips does
/// not read either and are ignored. Logs are `KIND.log` or `KIND.log.labeled`.
struct ZeekDirectory {
    /// The log kinds Slips reads besides conn.
    static let slipsKinds: Set<String> = ["dns", "http", "ssl", "x509", "ssh", "smtp", "dhcp", "arp", "notice",
                                          "software", "files", "weird", "tunnel", "login", "ftp"]
    /// The conn log (`conn.log`, else `conn.log.labeled`), if any.
    var connLog: String?
    /// Logs of the kinds Slips reads that slipsd reads in a later version, with their kind.
    var notReadYet: [(path: String, kind: String)] = []
    /// Files that are no log Slips reads (and a second conn log).
    var ignored: [String] = []

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
        for name in names.sorted() {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard Self.isRegularFile(path) else { continue }
            guard name.hasSuffix(".log") || name.hasSuffix(".log.labeled") else { ignored.append(name); continue }
            let kind = String(name.prefix { $0 != "." })
            if kind == "conn" {
                if connLog == nil || name == "conn.log" {
                    if let earlier = connLog { ignored.append(Self.lastComponent(earlier)) }
                    connLog = path
                } else {
                    ignored.append(name)
                }
            } else if Self.slipsKinds.contains(kind) {
                notReadYet.append((path, kind))
            } else {
                ignored.append(name)
            }
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
        return slipsKinds.contains(kind) ? kind : "conn"
    }
}
