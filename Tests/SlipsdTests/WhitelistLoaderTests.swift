import Foundation
import Testing
import NetCore
import Detect
@testable import slipsd

/// `WhitelistLoader`: the whitelist a configuration names, with its organizations' files from
/// `whitelists.organizations_info_path`, refused when another user could have written them.
@Suite("Whitelist loader")
struct WhitelistLoaderTests {
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "sdd-wl-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path + "/orgs", withIntermediateDirectories: true)
        chmod(path, 0o755)
        chmod(path + "/orgs", 0o755)
        return path
    }

    func settings(_ dir: String, organizations: Bool) throws -> SlipsdSettings {
        try ConfigLoader.parse("""
        whitelists:
          enable_local_whitelist: true
          local_whitelist_path: \(dir)/whitelist.conf
        \(organizations ? "  organizations_info_path: \(dir)/orgs" : "")
        """, file: "test.yaml")
    }

    @Test func organizationFilesAreLoadedFromTheConfiguredDirectory() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "organization,exampleorg,both,alerts\nip,192.0.2.1,src,flows\n"
            .write(toFile: dir + "/whitelist.conf", atomically: true, encoding: .utf8)
        try "198.51.100.0/24\n".write(toFile: dir + "/orgs/exampleorg", atomically: true, encoding: .utf8)
        try "exampleorg.test\n".write(toFile: dir + "/orgs/exampleorg_domains", atomically: true, encoding: .utf8)

        let loaded = try WhitelistLoader.load(try settings(dir, organizations: true), trusted: true)
        #expect(loaded.source == dir + "/whitelist.conf")
        #expect(loaded.whitelist.contains(IPAddress("198.51.100.20")!))
        #expect(loaded.whitelist.ignoresEvidence(party: "www.exampleorg.test", side: .DST))
        #expect(loaded.whitelist.ignoresFlow(source: IPAddress("192.0.2.1")!, destination: IPAddress("8.8.8.8")!))
        #expect(loaded.messages == ["whitelisted organization 'exampleorg': 1 IP ranges, 1 domains, 0 AS numbers"])

        // Without the key the organization matches nothing, and the log says how to fix it.
        let bare = try WhitelistLoader.load(try settings(dir, organizations: false), trusted: true)
        #expect(!bare.whitelist.contains(IPAddress("198.51.100.20")!))
        #expect(bare.messages.first?.contains("organizations_info_path") == true)
    }

    @Test func anOrganizationFileOthersCanWriteIsRefused() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "organization,exampleorg,both,alerts\n".write(toFile: dir + "/whitelist.conf", atomically: true, encoding: .utf8)
        try "198.51.100.0/24\n".write(toFile: dir + "/orgs/exampleorg", atomically: true, encoding: .utf8)
        chmod(dir + "/orgs/exampleorg", 0o666)
        #expect(throws: SlipsdError.self) { try WhitelistLoader.load(try settings(dir, organizations: true), trusted: true) }
        // Read as the daemon's user on SIGHUP, trust is the file system's business.
        #expect(try WhitelistLoader.load(try settings(dir, organizations: true), trusted: false).whitelist
                    .contains(IPAddress("198.51.100.1")!))
    }
}
