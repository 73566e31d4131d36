import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// Parses resolv.conf(5) text for `nameserver` lines.
enum ResolvConf {
    /// The name server addresses in order; comments (`#`, `;`), other keywords and unparsable addresses are
    /// skipped. An IPv6 zone (`fe80::1%eth0`) is dropped.
    static func nameservers(_ text: String) -> [IPAddress] {
        var result: [IPAddress] = []
        for line in text.split(separator: "\n") {
            var content = Substring(line)
            if let comment = content.firstIndex(where: { $0 == "#" || $0 == ";" }) {
                content = content[..<comment]
            }
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard fields.count >= 2, fields[0] == "nameserver",
                  let address = IPAddress(String(fields[1])) else { continue }
            result.append(address)
        }
        return result
    }

    /// Why a resolver's upstream file (`SelfProtection.Sources.upstreamResolverPaths`) is not read, or nil: it
    /// must be owned by root or a system account (systemd-resolved writes its file as `systemd-resolve`, uid
    /// below 1000) and writable by nobody else, so that no user can make an address unblockable through it.
    static func untrustedOwnership(_ info: stat, path: String) -> String? {
        FileTrust.problem(info, what: path, owners: "root or a system account") { $0 < 1000 }
    }
}
