import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The feed helper's name resolution through nscd, under its system-call filter (issue 12): on a gateway that runs
/// the Name Service Cache Daemon, glibc's getaddrinfo asks nscd over its Unix socket first and maps the cache nscd
/// passes back (a file descriptor over the socket, `shared hosts yes`), a path the dnsmasq acceptance test does not
/// take. The test runs Debian's own nscd (extracted by `make deps` from the `nscd` package into
/// `.build/deps/nscd`, never installed system-wide, so no other test sees a cache) in private mount namespaces:
/// nscd sees a hosts file naming the feed server, the helper does not, so a download by that name can only succeed
/// through nscd, and DNS in the namespace goes to loopback's port 53, where nothing answers (no query leaves the
/// machine). Without nscd, the same helper cannot resolve the name (the control).
@Suite("Feed helper resolution through nscd", .serialized)
struct FeedHelperNSCDTests {
    static let nscd = RepositoryPaths.root + "/.build/deps/nscd/usr/sbin/nscd"
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: nscd) && FeedTestServer.isAvailable && getuid() == 0
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")
    }
    static let name = "feeds.slipsd-nscd.test"

    /// Runs the helper on `config` (one `update` request) in a mount namespace with an empty `/run`, with nscd
    /// answering from `hosts` when `withNSCD`; the helper's output.
    func helper(config: String, dir: String, withNSCD: Bool) throws -> String {
        let startNSCD = """
            unshare --mount --propagation private sh -c 'mount --bind \(dir)/hosts /etc/hosts && \
            exec \(Self.nscd) -F -f \(dir)/nscd.conf' &
            nscd=$!
            for i in $(seq 1 50); do [ -S /run/nscd/socket ] && break; sleep 0.1; done
            [ -S /run/nscd/socket ] || { echo "nscd did not start"; kill $nscd; exit 1; }
            """
        let script = """
            set -u
            mount -t tmpfs tmpfs /run && mkdir -m 0755 /run/nscd || exit 1
            mount --bind \(dir)/resolv.conf /etc/resolv.conf || exit 1
            \(withNSCD ? startNSCD : "nscd=")
            printf 'update\\n' | timeout 30 \(RepositoryPaths.slipsdBinary) --feed-helper -c \(config) 2>&1
            echo "helper exit $?"
            [ -n "$nscd" ] && { kill $nscd; wait $nscd 2>/dev/null; }
            exit 0
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--mount", "--propagation", "private", "sh", "-c", script]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output
    }

    @Test(.timeLimit(.minutes(2)),
          .enabled(if: isAvailable, "needs root, unshare, python3 and nscd extracted by `make deps` into .build/deps/nscd"))
    func theHelperResolvesFeedServersThroughNSCDUnderItsFilter() throws {
        let dir = NSTemporaryDirectory() + "slipsd-helper-nscd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir + "/cache", withIntermediateDirectories: true)
        chmod(dir, 0o755); chmod(dir + "/cache", 0o755)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try FeedTestServer(directory: dir + "/server")
        defer { server.stop() }
        try server.serve("list.txt", "# feed\n203.0.113.9\n")
        try "127.0.0.1 localhost\n127.0.0.1 \(Self.name)\n".write(toFile: dir + "/hosts", atomically: true, encoding: .utf8)
        try """
            enable-cache hosts yes
            positive-time-to-live hosts 60
            negative-time-to-live hosts 1
            check-files hosts yes
            persistent hosts no
            shared hosts yes
            enable-cache passwd no
            enable-cache group no
            enable-cache services no
            enable-cache netgroup no

            """.write(toFile: dir + "/nscd.conf", atomically: true, encoding: .utf8)
        // No DNS answers in the namespace (nothing listens on loopback's port 53): the name resolves through nscd
        // or not at all, and no query leaves the machine.
        try "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n".write(toFile: dir + "/resolv.conf", atomically: true, encoding: .utf8)
        for file in ["hosts", "nscd.conf", "resolv.conf"] { chmod(dir + "/" + file, 0o644) }
        try "http://\(Self.name):\(server.port)/list.txt,high,['test']\n"
            .write(toFile: dir + "/TI.csv", atomically: true, encoding: .utf8)
        chmod(dir + "/TI.csv", 0o644)
        try """
            threatintelligence:
              local_threat_intelligence_files: \(dir)/none/
              download_path_for_remote_threat_intelligence: \(dir)/cache
              ti_files: \(dir)/TI.csv
              download_timeout: 3

            """.write(toFile: dir + "/enforce.yaml", atomically: true, encoding: .utf8)

        let without = try helper(config: dir + "/enforce.yaml", dir: dir, withNSCD: false)
        #expect(without.contains("seccomp: enforce"), "\(without)")
        #expect(!without.contains("updated: 1 IoCs"), "resolved without nscd: \(without)")
        #expect(without.contains("DNS error"), "\(without)")   // the client retries until the 3 s timeout, then says why
        #expect(without.contains("helper exit 0"), "\(without)")      // a failed download is reported, not fatal

        let through = try helper(config: dir + "/enforce.yaml", dir: dir, withNSCD: true)
        #expect(through.contains("seccomp: enforce"), "\(through)")
        #expect(through.contains("updated: 1 IoCs"), "\(through)")
        #expect(through.contains("helper exit 0"), "\(through)")      // not killed by the filter (SIGSYS: 159)
    }
}
