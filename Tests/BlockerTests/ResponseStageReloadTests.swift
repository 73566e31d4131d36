import NetCore
import Foundation
import Testing
import Synchronization
@testable import Blocker

/// `ResponseStage.apply`: a reload's allowlist and policy take effect for the next request, in a namespace's
/// real nftables.
@Suite("ResponseStage reload", .serialized, .timeLimit(.minutes(2)))
struct ResponseStageReloadTests {
    @Test func appliedAllowlistAndPolicyTakeEffect() async throws {
        let topology = try Topology(tag: "sdd2")
        defer { topology.destroy() }
        let host = IPAddress("198.51.100.7")!
        let result = try await inNamespace(topology.a) { () throws -> ([String], Bool, Int?, Int?, Bool) in
            let blocker = try NftablesBlocker(configuration: .init(tableName: "slipsd_sdd2"))
            _ = try blocker.setUp()
            let lines = Mutex<[String]>([])
            let stage = ResponseStage(blocker: blocker, drops: DropSet(), grace: UnblockGrace(seconds: 0),
                                      policy: BlockingPolicy(fixedSeconds: 600),
                                      allowlist: [.init(range: CIDR("198.51.100.0/24")!, reason: "is in allowlist 198.51.100.0/24")],
                                      report: { line in lines.withLock { $0.append(line) } })
            let request = BlockRequest(address: host, alertID: "a1", reason: "test", alertTime: WallClock.now(),
                                       windowEnd: nil, windowWidthMicroseconds: 60_000_000, verified: true)
            stage.execute(request)
            let refusedInKernel = try blocker.list().contains { $0.address == host }
            stage.apply(policy: BlockingPolicy(fixedSeconds: 30), allowlist: [])
            stage.execute(request)
            let element = try blocker.list().first { $0.address == host }
            let deadline = stage.drops.active(now: WallClock.now())[host]
            let inProcess = deadline.map { Int(($0.microseconds(since: WallClock.now()) + 500_000) / 1_000_000) }
            return (lines.withLock { $0 }, refusedInKernel, element?.timeout.map { Int($0.components.seconds) },
                    inProcess, stage.policy.fixedSeconds == 30)
        }
        #expect(result.0.first == "refusing to block 198.51.100.7: it is in allowlist 198.51.100.0/24", "\(result.0)")
        #expect(!result.1, "an allowlisted host reached the kernel")
        #expect(result.2 == 30, "the reloaded policy's duration: \(String(describing: result.2))")
        #expect(result.3 == 30)
        #expect(result.4)
        #expect(result.0.last?.hasPrefix("blocked 198.51.100.7 for 30 s") == true, "\(result.0)")
    }
}
