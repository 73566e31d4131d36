import NetCore
import Foundation
import Testing
@testable import Blocker

/// A gateway whose resolv.conf names only a local stub (systemd-resolved's 127.0.0.53) still protects the servers
/// that stub forwards to, read from the resolver's own file; such a file that a user could write is not read.
@Suite("SelfProtection: upstream resolvers of a local stub")
struct SelfProtectionUpstreamResolverTests {
    @Test func theUpstreamServersOfSystemdResolvedAreProtected() throws {
        let directory = NSTemporaryDirectory() + "sdbk-upstream-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stub = directory + "/resolv.conf", upstream = directory + "/resolve-resolv.conf"
        let everyone = directory + "/writable-resolv.conf", user = directory + "/user-resolv.conf"
        // What systemd-resolved writes: the stub in /etc/resolv.conf, the real servers in its own file.
        try "# stub\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n"
            .write(toFile: stub, atomically: true, encoding: .utf8)
        try "# upstream\nnameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch lan\n"
            .write(toFile: upstream, atomically: true, encoding: .utf8)
        try "nameserver 198.51.100.66\n".write(toFile: everyone, atomically: true, encoding: .utf8)
        try "nameserver 198.51.100.77\n".write(toFile: user, atomically: true, encoding: .utf8)
        #expect(chmod(upstream, 0o644) == 0 && chmod(everyone, 0o666) == 0)
        #expect(chmod(user, 0o644) == 0 && chown(user, 1000, 1000) == 0)

        let protection = SelfProtection(sources: .init(
            resolvConfPath: stub, upstreamResolverPaths: [upstream, directory + "/absent.conf", everyone, user],
            ipv4RoutesPath: nil, ipv6RoutesPath: nil, interfaces: false))
        #expect(protection.reasonIfProtected(IPAddress("127.0.0.53")!) != nil)
        #expect(protection.reasonIfProtected(IPAddress("192.0.2.53")!) == "is an upstream resolver in \(upstream)")
        #expect(protection.reasonIfProtected(IPAddress("2001:db8::53")!) == "is an upstream resolver in \(upstream)")
        #expect(protection.reasonIfProtected(IPAddress("198.51.100.66")!) == nil, "a file everyone can write is read")
        #expect(protection.reasonIfProtected(IPAddress("198.51.100.77")!) == nil, "a user's file is read")
        let warnings = protection.warnings
        #expect(warnings.count == 2, "an absent file is no warning; the two untrusted ones are: \(warnings)")
        #expect(warnings.contains { $0.contains(everyone) && $0.contains("writable by everyone") }, "\(warnings)")
        #expect(warnings.contains { $0.contains(user) && $0.contains("owned by uid 1000") }, "\(warnings)")
    }

    @Test func theDefaultsListTheResolversFilesOfTheCommonStubs() {
        #expect(SelfProtection.Sources().upstreamResolverPaths.contains("/run/systemd/resolve/resolv.conf"))
        #expect(SelfProtection.Sources().resolvConfPath == "/etc/resolv.conf")
    }
}
