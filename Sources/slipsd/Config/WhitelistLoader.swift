import Detect
import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads the whitelist a configuration names (`whitelists.local_whitelist_path`) and the files of the
/// organizations it lists (`whitelists.organizations_info_path`: `<org>` IP ranges, `<org>_domains`,
/// `<org>_asn`, as Slips keeps them in `slips_files/organizations_info/`). Used at start-up and on SIGHUP.
enum WhitelistLoader {
    /// What was loaded.
    struct Loaded {
        var whitelist = Whitelist()
        /// The file read, or why none was.
        var source = "disabled"
        /// One line per organization (what its files gave), for slipsd.log.
        var messages: [String] = []
    }

    /// - Parameter trusted: refuse files and directories another user could write (`TrustedPath`), as root must.
    /// - Throws: `SlipsdError` for an untrusted file, `SystemError` for a named file that cannot be read,
    ///   `Whitelist.ParseError` for a bad line.
    static func load(_ settings: SlipsdSettings, trusted: Bool) throws -> Loaded {
        var loaded = Loaded()
        guard settings.whitelistEnabled, let path = settings.whitelistPath else { return loaded }
        guard access(path, R_OK) == 0 else {
            if settings.whitelistPathWasSet { throw SystemError.current("reading whitelist", object: path) }
            loaded.source = "none (\(path) not readable)"
            return loaded
        }
        try refuseUntrusted(path, what: "whitelist", trusted: trusted)
        loaded.whitelist = try Whitelist(parsing: try ConfigLoader.readFile(path), file: path)
        loaded.source = path
        guard !loaded.whitelist.organizations.isEmpty else { return loaded }
        guard let directory = settings.organizationsInfoPath else {
            let names = loaded.whitelist.organizations.map(\.name).joined(separator: ", ")
            loaded.messages = ["whitelisted organizations \(names) match nothing: set whitelists.organizations_info_path "
                               + "to a directory with their files (<org>, <org>_domains, <org>_asn)"]
            return loaded
        }
        var failure: Error?
        loaded.messages = loaded.whitelist.loadOrganizations { name in
            let file = directory + "/" + name
            guard failure == nil, access(file, R_OK) == 0 else { return nil }
            do {
                try refuseUntrusted(file, what: "organization file", trusted: trusted)
                return try ConfigLoader.readFile(file)
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return loaded
    }

    private static func refuseUntrusted(_ path: String, what: String, trusted: Bool) throws {
        guard trusted, let problem = TrustedPath.problem(with: path) else { return }
        throw SlipsdError("reading \(what)", object: path,
                          reason: "not read: \(problem) (slipsd reads only files that no other user can change)")
    }
}
