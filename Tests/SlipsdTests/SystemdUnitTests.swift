import NetCore
import Testing
import Foundation

@Suite("systemd unit")
struct SystemdUnitTests {
    static let unitPath = RepositoryPaths.root + "/systemd/slipsd.service"

    /// The unit with ExecStart pointing at the binary built for the tests (verify checks that it exists).
    static func unitForTests() throws -> String {
        let dir = NSTemporaryDirectory() + "slipsd-unit-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let unit = try String(contentsOfFile: unitPath, encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/slipsd", with: RepositoryPaths.slipsdBinary)
        try unit.write(toFile: dir + "/slipsd.service", atomically: true, encoding: .utf8)
        return dir + "/slipsd.service"
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"),
                   "needs systemd-analyze (Debian's systemd package)"))
    func unitVerifies() throws {
        let path = try Self.unitForTests()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let result = try ProcessResult.run("/usr/bin/systemd-analyze", ["verify", path])
        let problems = (result.stdout + result.stderr).split(separator: "\n")
            .filter { !$0.contains("network-online.target") && !$0.contains("nftables.service") && !$0.isEmpty }
        #expect(problems.isEmpty, "\(problems)")
    }

    /// `systemd-analyze security` on the unit file: the exposure systemd reports for it (lower is better).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"),
                   "needs systemd-analyze (Debian's systemd package)"))
    func securityExposureIsAtMostTwo() throws {
        let path = try Self.unitForTests()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let result = try ProcessResult.run("/usr/bin/systemd-analyze", ["security", "--offline=yes", path])
        let line = try #require((result.stdout + result.stderr).split(separator: "\n")
            .first { $0.contains("Overall exposure level") })
        let words = line.split(separator: " ")
        let index = try #require(words.firstIndex(of: "slipsd.service:"))
        let exposure = try #require(Double(words[index + 1]))
        #expect(exposure <= 2.0, "\(line)")
    }

    @Test func unitIsNotifyTypeUnprivilegedWithOnlyNetAdmin() throws {
        let unit = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
        #expect(unit.contains("Type=notify"))
        #expect(unit.contains("Restart=always"))
        #expect(unit.contains("User=slipsd"))
        let bounding = unit.split(separator: "\n").first { $0.hasPrefix("CapabilityBoundingSet=") } ?? ""
        #expect(bounding == "CapabilityBoundingSet=CAP_NET_ADMIN")
        #expect(unit.contains("AmbientCapabilities=CAP_NET_ADMIN"))
        // systemd's watchdog: slipsd pings every WatchdogSec/2 while its threads make progress.
        let watchdog = unit.split(separator: "\n").first { $0.hasPrefix("WatchdogSec=") } ?? ""
        #expect(watchdog == "WatchdogSec=5s", "\(watchdog)")
        for key in ["SystemCallFilter=", "ProtectKernelLogs=yes", "ProtectProc=invisible", "UMask=0077",
                    "RestrictAddressFamilies="] {
            #expect(unit.contains(key), "\(key)")
        }
    }
}
