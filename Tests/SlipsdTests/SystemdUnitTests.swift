import NetCore
import Testing
import Foundation

@Suite("systemd unit")
struct SystemdUnitTests {
    @Test func unitVerifies() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            print("skipped: systemd-analyze is not installed")
            return
        }
        // verify checks that ExecStart's binary exists: point it at the binary built for the tests.
        let unit = try String(contentsOfFile: RepositoryPaths.root + "/systemd/slipsd.service", encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/slipsd", with: RepositoryPaths.slipsdBinary)
        let dir = NSTemporaryDirectory() + "slipsd-unit-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try unit.write(toFile: dir + "/slipsd.service", atomically: true, encoding: .utf8)
        let result = try ProcessResult.run("/usr/bin/systemd-analyze", ["verify", dir + "/slipsd.service"])
        let problems = (result.stdout + result.stderr).split(separator: "\n")
            .filter { !$0.contains("network-online.target") && !$0.contains("nftables.service") && !$0.isEmpty }
        #expect(result.status == 0 || problems.isEmpty, "\(problems)")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func unitIsNotifyTypeWithOnlyNeededCapabilities() throws {
        let unit = try String(contentsOfFile: RepositoryPaths.root + "/systemd/slipsd.service", encoding: .utf8)
        #expect(unit.contains("Type=notify"))
        #expect(unit.contains("Restart=on-failure"))
        let bounding = unit.split(separator: "\n").first { $0.hasPrefix("CapabilityBoundingSet=") } ?? ""
        #expect(bounding.contains("CAP_NET_ADMIN"))
        #expect(!bounding.contains("CAP_SYS_ADMIN"))
    }
}
