import Foundation
import Testing

/// The daemon closes every file descriptor it inherited above stderr before set-up: started from a shell that
/// left fd 7 open on a file, the running daemon has no fd 7.
@Suite("Inherited descriptors", .serialized)
struct InheritedDescriptorsTests {
    @Test(.timeLimit(.minutes(2)))
    func anInheritedDescriptorIsClosed() throws {
        let lab = try DaemonLab(tag: "cti")
        defer { lab.cleanUp() }
        let config = try lab.writeConfig()
        // `ip netns exec` execs its command, and `exec` replaces the shell: the process is slipsd itself.
        let command = "\(RepositoryPaths.slipsdBinary) --inline --queue 39 --no-block --no-steer -c \(config)"
        let daemon = try lab.start(lab.gateway, "exec 7</etc/hostname\n" + InheritedDescriptorsAnchor.shell(command),
                                   logName: "daemon.log")
        let ready = waitUntil(seconds: 20) { lab.daemonLog.contains("ready") || !daemon.isRunning }
        try #require(ready && daemon.isRunning, "slipsd did not become ready: \(lab.daemonLog)")
        let pid = daemon.processIdentifier
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
        try #require(executable.hasSuffix("/slipsd"), "pid \(pid) is \(executable), not slipsd")
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        #expect(!descriptors.isEmpty, "cannot read /proc/\(pid)/fd")
        let seven = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/7")
        #expect(seven?.hasPrefix("/etc/hostname") != true, "fd 7 (\(seven ?? "")) inherited and still open")
        kill(pid, SIGTERM)
        #expect(waitForExit(daemon, seconds: 15))
    }
}
