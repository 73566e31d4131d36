import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `slipsd --feed-helper` under its own system-call filter (`FeedHelperSeccomp`): a real download from the local
/// feed server still works, and a call outside the allowlist (the helper's `seccomp-probe`: getppid) kills it
/// by SIGSYS; with `daemon.seccomp: off` the same probe is answered.
@Suite("Feed helper seccomp filter", .serialized)
struct FeedHelperSeccompTests {
    /// Runs the helper on `config` with `input` on its standard input; its output and how it ended.
    func helper(_ config: String, _ input: String) throws -> (output: String, status: Int32, signal: Int32?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.slipsdBinary)
        process.arguments = ["--feed-helper", "-c", config]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let signaled = process.terminationReason == .uncaughtSignal
        return (output, process.terminationStatus, signaled ? process.terminationStatus : nil)
    }

    @Test(.timeLimit(.minutes(1)), .enabled(if: FeedTestServer.isAvailable, "python3 is needed for the feed server"))
    func aForbiddenCallKillsTheHelperAndDownloadsStillWork() throws {
        let dir = NSTemporaryDirectory() + "slipsd-helper-seccomp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir + "/cache", withIntermediateDirectories: true)
        chmod(dir, 0o755); chmod(dir + "/cache", 0o755)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try FeedTestServer(directory: dir + "/server")
        defer { server.stop() }
        try server.serve("list.txt", "# feed\n203.0.113.7\n198.51.100.0/24\n")
        try "\(server.url("list.txt")),high,['test']\n".write(toFile: dir + "/TI.csv", atomically: true, encoding: .utf8)
        chmod(dir + "/TI.csv", 0o644)
        let section = """
            threatintelligence:
              local_threat_intelligence_files: \(dir)/none/
              download_path_for_remote_threat_intelligence: \(dir)/cache
              ti_files: \(dir)/TI.csv
            """
        try (section + "\n").write(toFile: dir + "/enforce.yaml", atomically: true, encoding: .utf8)
        try (section + "\ndaemon:\n  seccomp: off\n").write(toFile: dir + "/off.yaml", atomically: true, encoding: .utf8)

        let enforced = try helper(dir + "/enforce.yaml", "update\nseccomp-probe\nupdate\n")
        #expect(enforced.output.contains("seccomp: enforce"), "\(enforced.output)")
        #expect(enforced.output.contains("updated: 2 IoCs"), "\(enforced.output)")   // the filter lets HTTP through
        #expect(!enforced.output.contains("getppid returned"), "\(enforced.output)")
        #expect(enforced.signal == SIGSYS, "\(enforced.status) \(enforced.output)")
        #expect(enforced.output.components(separatedBy: "done ").count == 2)          // no answer after the probe

        let open = try helper(dir + "/off.yaml", "seccomp-probe\nupdate\n")
        #expect(open.output.contains("getppid returned"), "\(open.output)")
        #expect(open.signal == nil && open.status == 0, "\(open.status) \(open.output)")
    }
}
