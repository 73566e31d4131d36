import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 12's acceptance for the kernel feed blocklist, end to end: `slipsd --inline` in the gateway of a
/// `DaemonLab` downloads a blocking feed every 10 s from a real HTTP server in the server namespace, found by a
/// name the gateway's resolver (dnsmasq on the server) answers. An address appears in the feed → dropped in
/// the kernel within a refresh; it leaves → lifted; the feed also lists the resolver → that entry is refused
/// (one line per refresh) and the gateway keeps resolving; SIGKILL → the elements stay with their timeouts.
@Suite("Feed refresh in the inline daemon", .serialized, .timeLimit(.minutes(4)),
       .enabled(if: FeedTestServer.isAvailable && FileManager.default.isExecutableFile(atPath: "/usr/sbin/dnsmasq"),
                "needs python3 (feed server) and dnsmasq (the gateway's resolver)"))
struct FeedRefreshAcceptanceTests {
    static let period = 10
    static let timeout = 120

    @Test("listed → dropped within a refresh; unlisted → lifted; the resolver entry refused; SIGKILL leaves expiring elements")
    func feedBlocksFollowTheServedFeed() throws {
        let lab = try DaemonLab(tag: "sfr")
        defer { lab.cleanUp() }
        let etc = "/etc/netns/\(lab.gateway)"
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: etc) }
        try "nameserver \(DaemonLab.serverIP)\n".write(toFile: etc + "/resolv.conf", atomically: true, encoding: .utf8)
        try lab.start(lab.server, "dnsmasq --no-daemon --keep-in-foreground --no-resolv --no-hosts --bind-interfaces "
                      + "--listen-address=\(DaemonLab.serverIP) --port=53 --address=/feeds.test/\(DaemonLab.serverIP)",
                      logName: "dnsmasq.log")
        let server = try FeedTestServer(directory: lab.dir + "/feedserver", address: DaemonLab.serverIP, namespace: lab.server)
        defer { server.stop() }
        try #require(lab.net.status(lab.gateway, "dig +time=1 +tries=3 +short feeds.test | grep -qx \(DaemonLab.serverIP)") == 0,
                     "the lab resolver does not answer: \(lab.file("dnsmasq.log"))")

        // The feed lists the resolver (must be refused) and a documentation address, not the attacker yet.
        let quiet = "# test blocklist\n\(DaemonLab.serverIP)\n203.0.113.9\n"
        try server.serve("bad.txt", quiet)
        let list = lab.dir + "/TI_feeds.csv"
        try "http://feeds.test:\(server.port)/bad.txt,high,['test']\n".write(toFile: list, atomically: true, encoding: .utf8)
        #expect(lab.connects(from: lab.attacker), "the attacker cannot reach the server before any feed")

        let daemon = try lab.startWithDefaults("""
        threatintelligence:
          local_threat_intelligence_files: \(lab.dir)/no-local/
          download_path_for_remote_threat_intelligence: \(lab.dir)/feeds
          ti_files: \(list)
          ja3_feeds:
          ssl_feeds:
          TI_files_update_period: \(Self.period)
          blocklist_timeout: \(Self.timeout)
          download_timeout: 5
          block_feeds: [bad.txt]
        """)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        // The first download happens at start.
        #expect(waitUntil(seconds: 15) { lab.feedElements("feedhost4").contains("203.0.113.9") }, "\(lab.daemonLog)")
        #expect(!lab.feedElements("feedhost4").contains(DaemonLab.serverIP), "the resolver was loaded")

        // The attacker appears in the feed: dropped within one refresh.
        try server.serve("bad.txt", quiet + "\(DaemonLab.attackerIP)\n")
        #expect(waitUntil(seconds: Double(Self.period) + 15) { lab.feedElements("feedhost4").contains(DaemonLab.attackerIP) },
                "not loaded within a refresh: \(lab.daemonLog)")
        #expect(!lab.connects(from: lab.attacker), "a listed address still connects")
        #expect(lab.connects(from: lab.benign), "an unlisted client lost its traffic")
        // --list-blocked shows the feed blocks apart, with the set's drop counter.
        let listed = try lab.net.exec(lab.gateway, "\(RepositoryPaths.slipsdBinary) --list-blocked -c \(lab.dir)/test.yaml")
        #expect(listed.contains("feed blocks (threat-intelligence feeds"), "\(listed)")
        let feedLine = listed.split(separator: "\n").first { $0.hasPrefix("  bad.txt") }
        #expect(feedLine.map { $0.split(separator: " ").last == "2" } == true, "entries of bad.txt: \(listed)")
        let setLine = listed.split(separator: "\n").first { $0.hasPrefix("  feedhost4") }?.split(separator: " ")
        #expect(setLine.map { $0.count >= 4 && $0[1] == "2" && (Int($0[2]) ?? 0) > 0 } == true,
                "feedhost4 entries and dropped packets: \(listed)")

        // It leaves the feed: lifted within one refresh.
        try server.serve("bad.txt", quiet)
        #expect(waitUntil(seconds: Double(Self.period) + 15) { !lab.feedElements("feedhost4").contains(DaemonLab.attackerIP) },
                "not lifted within a refresh: \(lab.daemonLog)")
        #expect(lab.connects(from: lab.attacker), "an address that left the feed is still dropped")

        // The resolver: refused once per load, and the gateway still resolves through it.
        let log = lab.daemonLog.split(separator: "\n")
        let refusals = log.filter { $0.contains("\(DaemonLab.serverIP)/32 of feed bad.txt not loaded") }.count
        let loads = log.filter { $0.contains("feed blocklist: ") && $0.contains(" entries → ")
                                 && !$0.contains("feed blocklist: 0 entries") }.count
        #expect(loads >= 3 && refusals == loads, "\(refusals) refusal lines for \(loads) loads: \(lab.daemonLog)")
        #expect(lab.net.status(lab.gateway, "dig +time=1 +tries=2 +short feeds.test | grep -qx \(DaemonLab.serverIP)") == 0,
                "the gateway stopped resolving")
        // An unchanged feed costs a 304 at the next refresh.
        #expect(waitUntil(seconds: Double(Self.period) + 15) { server.requests.contains { $0.status == 304 } },
                "no conditional GET: \(server.requests)")

        // Listed again, then the daemon is killed: the elements stay, with a timeout that lets them expire.
        try server.serve("bad.txt", quiet + "\(DaemonLab.attackerIP)\n")
        #expect(waitUntil(seconds: Double(Self.period) + 15) { lab.feedElements("feedhost4").contains(DaemonLab.attackerIP) })
        kill(daemon.processIdentifier, SIGKILL)
        #expect(waitForExit(daemon, seconds: 5))
        let element = lab.feedElements("feedhost4").split(separator: ",").first { $0.contains(DaemonLab.attackerIP) }
        let timeouts = element.map(FeedRefreshAcceptanceTests.seconds) ?? []
        #expect(timeouts.count == 2, "no timeout on \(String(describing: element))")
        if timeouts.count == 2 {
            #expect(timeouts[0] == Self.timeout, "timeout \(timeouts[0]) s, configured \(Self.timeout) s")
            #expect(timeouts[1] > 0 && timeouts[1] <= Self.timeout, "expires in \(timeouts[1]) s")
        }
        #expect(!lab.connects(from: lab.attacker), "the listed address passes once slipsd is dead")
    }

    /// The seconds of `timeout 2m` and `expires 1m54s` (nft's units), in order.
    static func seconds(_ element: Substring) -> [Int] {
        let words = element.split(separator: " ")
        return zip(words, words.dropFirst()).compactMap { key, value in
            guard key == "timeout" || key == "expires" else { return nil }
            // Groups of digits and a unit: d, h, m, s, ms (milliseconds are dropped).
            var total = 0, number = 0, unit = ""
            func flush() {
                switch unit {
                case "d": total += number * 86400
                case "h": total += number * 3600
                case "m": total += number * 60
                case "s": total += number
                default: break
                }
                number = 0; unit = ""
            }
            for character in value {
                if let digit = character.wholeNumberValue {
                    if !unit.isEmpty { flush() }
                    number = number * 10 + digit
                } else {
                    unit.append(character)
                }
            }
            flush()
            return total
        }
    }
}

extension DaemonLab {
    /// The elements of the feed set `set` in the gateway's slipsd table, as `nft` prints them ("" when none).
    func feedElements(_ set: String) -> String {
        guard let text = try? net.exec(gateway, "nft list set inet slipsd \(set)"),
              let start = text.range(of: "elements = {") else { return "" }
        let rest = text[start.upperBound...]
        return String(rest[..<(rest.firstIndex(of: "}") ?? rest.endIndex)]).replacingOccurrences(of: "\n", with: " ")
    }
}
