import Foundation
import Testing
@testable import slipsd
#if canImport(Glibc)
import Glibc
#endif

/// Root never reads a configuration or whitelist that another user could have written (sshd's StrictModes), and
/// the working directory's `config/slipsd.yaml` applies only when the invoking user owns it.
@Suite("Trusted configuration files", .serialized,
       .enabled(if: getuid() == 0, "changes file owners: needs root"))
struct TrustedFilesTests {
    /// A private directory (0700, owned by the test's user) for one test.
    func privateDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "slipsd-trust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        return path
    }

    func write(_ text: String, to path: String, mode: mode_t = 0o644, owner: uid_t? = nil) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
        if let owner { chown(path, owner, gid_t(owner)) }
    }

    @Test("a file only root can write is read; group- or world-writable files and other owners are refused")
    func strictModes() throws {
        let directory = try privateDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/slipsd.yaml"
        try write("parameters:\n  time_window_width: 60\n", to: file)
        #expect(TrustedPath.problem(with: file) == nil)

        chmod(file, 0o666)
        #expect(TrustedPath.problem(with: file)?.contains("writable by everyone") == true)
        chmod(file, 0o664)
        #expect(TrustedPath.problem(with: file)?.contains("writable by its group") == true)
        chmod(file, 0o644)
        chown(file, 65534, 65534)
        #expect(TrustedPath.problem(with: file)?.contains("owned by uid 65534") == true)
        chown(file, 0, 0)

        // A directory above it that another user may write.
        chmod(directory, 0o777)
        #expect(TrustedPath.problem(with: file)?.contains("\(directory) is writable by everyone") == true)
        chmod(directory, 0o700)
        #expect(TrustedPath.problem(with: file) == nil)

        // A symbolic link is judged by what it points to.
        let link = directory + "/link.yaml"
        symlink(file, link)
        #expect(TrustedPath.problem(with: link) == nil)
        chown(file, 65534, 65534)
        #expect(TrustedPath.problem(with: link) != nil)
    }

    @Test("slipsd -c refuses a world-writable configuration with a clear message (exit 2)")
    func refusesWorldWritableConfig() throws {
        let directory = try privateDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/evil.yaml"
        try write("blocking:\n  allowlist: [0.0.0.0/0]\n", to: file, mode: 0o666)
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-r", RepositoryPaths.root + "/samples/demo.pcap", "-c", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(file): not read: \(file) is writable by everyone"), "\(result.stderr)")
    }

    @Test("a working-directory config/slipsd.yaml owned by another user is ignored")
    func ignoresForeignWorkingDirectoryConfig() throws {
        let directory = try privateDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/config", withIntermediateDirectories: false)
        // Invalid on purpose: were it read, slipsd would stop with exit 2.
        try write("bogus_key: 1\n", to: directory + "/config/slipsd.yaml", owner: 65534)
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-r", RepositoryPaths.root + "/samples/demo.pcap"], directory: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("bogus_key"))

        // Owned by the invoking user it is read (and its error reported).
        chown(directory + "/config/slipsd.yaml", getuid(), getgid())
        let owned = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                          ["-r", RepositoryPaths.root + "/samples/demo.pcap"], directory: directory)
        #expect(owned.status == 2)
        #expect(owned.stderr.contains("bogus_key"))
    }

    @Test("an output directory the daemon's user owns is accepted for it only, and never with a hard-linked file")
    func outputDirectoryOwnedByTheDaemonUser() throws {
        let base = try privateDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let out = base + "/out"
        #expect(mkdir(out, 0o750) == 0 && mkdir(out + "/alerts", 0o750) == 0)
        #expect(FileManager.default.createFile(atPath: out + "/alerts/alerts.log", contents: Data("x\n".utf8)))
        #expect(chown(out, 65534, 65534) == 0)
        #expect(TrustedPath.outputDirectoryProblem(out) != nil, "another user's directory accepted without daemonUser")
        #expect(TrustedPath.outputDirectoryProblem(out, daemonUser: 65534) == nil)
        #expect(TrustedPath.outputDirectoryProblem(out, daemonUser: 1234) != nil)
        // A hard link the daemon's user planted to a file elsewhere would have root write into that file.
        let victim = base + "/precious"
        #expect(FileManager.default.createFile(atPath: victim, contents: Data("keep\n".utf8)))
        #expect(link(victim, out + "/alerts/alerts.json") == 0)
        let problem = TrustedPath.outputDirectoryProblem(out, daemonUser: 65534)
        #expect(problem?.contains("hard links") == true, "\(problem ?? "accepted")")
    }
}
