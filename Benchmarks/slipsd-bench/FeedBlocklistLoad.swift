import Foundation
import NetCore
import Blocker
#if canImport(Glibc)
import Glibc
#endif

/// Feed blocklist load (issue 12 §3): `count` synthetic feed entries (nine in ten single IPv4 addresses, one in
/// ten /24 networks, spread over 1.0.0.0–223.255.255.255 by a fixed-seed generator) loaded into the interval set
/// of a scratch table in the caller's network namespace: a full load, then an update where 1 % of the entries
/// changed (only the difference sent), the same update with every unchanged range re-asserted (the daemon's
/// refresh), and the time to remove everything.
enum FeedBlocklistLoad {
    static func run(_ arguments: [String]) {
        let count = arguments.count >= 3 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
        do { try measure(count: count) } catch { print("\(error)"); exit(1) }
    }

    /// Fixed-seed xorshift, so every run loads the same list.
    struct Generator {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        /// A unicast IPv4 address in 1.0.0.0 ..< 224.0.0.0, never in 10/8 or 127/8.
        mutating func address() -> UInt32 {
            while true {
                let value = UInt32(truncatingIfNeeded: next() % 0xDF00_0000) &+ 0x0100_0000
                let top = value >> 24
                if top != 10, top != 127 { return value }
            }
        }
    }

    static func entries(_ count: Int, generator: inout Generator) -> [CIDR] {
        (0..<count).map { i in
            let address = generator.address()
            return i % 10 == 9 ? CIDR(network: IPAddress(ipv4: address & 0xFFFF_FF00), prefixLength: 24)!
                               : CIDR(host: IPAddress(ipv4: address))
        }
    }

    static func measure(count: Int) throws {
        let config = NftablesBlocker.Configuration(tableName: "slipsd_feedbench", feedBlocklists: true)
        let blocker = try NftablesBlocker(configuration: config, protection: nil)
        _ = try blocker.setUp()
        defer { _ = try? blocker.tearDown() }
        let feeds = try FeedBlocklist(tableName: config.tableName, protection: nil)
        var generator = Generator()
        var list = entries(count, generator: &generator)
        let rssBefore = residentKilobytes()

        let full = try feeds.update([FeedBlockSource(name: "bench", ranges: list)], timeout: .seconds(7200))
        let rssAfter = residentKilobytes()
        report("full load", full, entries: count)
        print("  process RSS +\((rssAfter - rssBefore) / 1024) MiB for the loaded state and buffers")

        // 1 % changed: as many entries replaced by new ones.
        let changed = max(1, count / 100)
        let replacements = entries(changed, generator: &generator)
        for i in 0..<changed { list[i * 97 % count] = replacements[i] }
        let diffOnly = try feeds.update([FeedBlockSource(name: "bench", ranges: list)], timeout: .seconds(7200), reassert: false)
        report("update, \(changed) entries changed, difference only", diffOnly, entries: count)

        let more = entries(changed, generator: &generator)
        for i in 0..<changed { list[(i * 89 + 13) % count] = more[i] }
        let refresh = try feeds.update([FeedBlockSource(name: "bench", ranges: list)], timeout: .seconds(7200))
        report("refresh, \(changed) entries changed, unchanged ranges re-asserted", refresh, entries: count)

        let cleared = try feeds.update([], timeout: .seconds(7200))
        report("removing everything", cleared, entries: 0)
    }

    static func report(_ what: String, _ r: FeedUpdateReport, entries: Int) {
        let seconds = Double(r.duration.components.seconds) + Double(r.duration.components.attoseconds) * 1e-18
        let commit = Double(r.commitDuration.components.seconds) + Double(r.commitDuration.components.attoseconds) * 1e-18
        print("\(what): \(entries) entries → \(r.intervals) ranges; +\(r.added) −\(r.removed) re-asserted \(r.reasserted); "
              + "\(r.elementsSent) kernel elements in \(r.transactions) transactions / \(r.messages) messages; "
              + String(format: "%.3f s total (%.0f entries/s), netlink %.3f s (%.0f elements/s)",
                       seconds, seconds > 0 ? Double(entries) / seconds : 0, commit, r.elementsPerSecond)
              + (r.failures.isEmpty ? "" : "; FAILURES: \(r.failures.count): \(r.failures[0])"))
    }

    static func residentKilobytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
