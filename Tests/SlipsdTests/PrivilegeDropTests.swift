import NetCore
import Foundation
import Testing

/// The privilege drop runs in a child process (`slipsd --privilege-self-test`): a test process must not drop
/// its own privileges.
@Suite("Privilege drop")
struct PrivilegeDropTests {
    @Test func keepsOnlyNetAdmin() throws {
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["--privilege-self-test", "nobody"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("uid 65534/65534/65534/65534"))
        #expect(result.stdout.contains("CapEff 0000000000001000 CapPrm 0000000000001000 CapBnd 0000000000001000"))
        #expect(result.stdout.contains("CapAmb 0000000000000000 NoNewPrivs 1"))
    }

    @Test func passiveModeKeepsNothing() throws {
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["--privilege-self-test", "nobody", "--none"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("CapEff 0000000000000000 CapPrm 0000000000000000 CapBnd 0000000000000000"))
    }

    @Test func missingUserIsRefusedNotReplacedByNobody() throws {
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["--privilege-self-test", "no-such-user-slipsd"])
        #expect(result.status == 1)
        #expect(!result.stdout.contains("dropped to"))
        #expect(result.stdout.contains("user 'no-such-user-slipsd' does not exist; create it with `useradd"))
    }

    /// As systemd starts the shipped unit: already the unprivileged user, CAP_NET_ADMIN in the ambient set and a
    /// bounding set of only CAP_NET_ADMIN.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs setpriv (util-linux)"))
    func startedUnprivilegedWithAmbientNetAdmin() throws {
        let result = try ProcessResult.run("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all,+net_admin",
            "--ambient-caps=-all,+net_admin", "--bounding-set=-all,+net_admin",
            RepositoryPaths.slipsdBinary, "--privilege-self-test", "nobody"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("CapEff 0000000000001000 CapPrm 0000000000001000 CapBnd 0000000000001000"))
        #expect(result.stdout.contains("CapAmb 0000000000000000 NoNewPrivs 1"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs setpriv (util-linux)"))
    func startedUnprivilegedWithoutNetAdminIsRefused() throws {
        let result = try ProcessResult.run("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", "--bounding-set=-all",
            RepositoryPaths.slipsdBinary, "--privilege-self-test", "nobody"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("AmbientCapabilities=CAP_NET_ADMIN"), "\(result.stdout)")
    }

    @Test func rootTargetIsRefused() throws {
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["--privilege-self-test", "root"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("'root' is root"))
    }
}
