import NetCore
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

    @Test func rootTargetIsRefused() throws {
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["--privilege-self-test", "root"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("'root' is root"))
    }
}
