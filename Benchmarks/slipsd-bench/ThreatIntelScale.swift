import Foundation
import NetCore
import Detect

/// `slipsd-bench threat-intel DIR ENTRIES`: writes a feed of ENTRIES IPv4 addresses and networks and one of
/// ENTRIES domains, then times, in this process: reading each file line by line with nothing else (the
/// baseline), and parsing it into a `ThreatIntelIndex`; prints seconds, entries/s, the resident memory the
/// index added, and the time per lookup (hits and misses) against a plain `Set<UInt32>` lookup in the same run.
enum ThreatIntelScale {
    static func run(_ arguments: [String]) {
        guard arguments.count == 4, let entries = Int(arguments[3]), entries > 0 else {
            print("usage: slipsd-bench threat-intel DIR ENTRIES"); exit(2)
        }
        let ipFeed = arguments[2] + "/bench-ti-ips.txt", domainFeed = arguments[2] + "/bench-ti-domains.txt"
        var rng = SystemRandomNumberGenerator()
        var ips = "# synthetic IP feed\n"
        ips.reserveCapacity(entries * 18)
        var listed: [UInt32] = []
        listed.reserveCapacity(entries)
        for i in 0..<entries {
            let value = UInt32.random(in: 0x0100_0000...0xDFFF_FFFF, using: &rng)
            listed.append(value)
            let text = "\(value >> 24).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)"
            ips += i % 10 == 0 ? "\(text)/24 ; SBL\(i)\n" : text + "\n"
        }
        var domains = "# synthetic domain feed\n"
        domains.reserveCapacity(entries * 24)
        for i in 0..<entries { domains += "0.0.0.0 host\(i).zone\(i % 5000).example\n" }
        do {
            try ips.write(toFile: ipFeed, atomically: false, encoding: .utf8)
            try domains.write(toFile: domainFeed, atomically: false, encoding: .utf8)
        } catch {
            print("\(error)"); exit(1)
        }
        ips = ""; domains = ""

        let before = residentBytes()
        var index = ThreatIntelIndex()
        for (name, path) in [("IP", ipFeed), ("domain", domainFeed)] {
            let bare = time { _ = lineCount(path) }
            let load = time {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
                index.add(feed: text, format: .lines, from: IoCSource(feed: name, threatLevel: .medium))
            }
            print("\(name) feed, \(entries) entries: load \(String(format: "%.2f", load)) s "
                  + "(\(Int(Double(entries) / load)) entries/s), bare line read \(String(format: "%.3f", bare)) s, "
                  + "ratio \(String(format: "%.1f", load / bare))x")
        }
        let added = residentBytes() - before
        print("index: \(index.count) IoCs, resident memory added \(added / 1_048_576) MiB")

        let probes = 2_000_000
        let hits = (0..<probes).map { listed[$0 % listed.count] }
        let misses = (0..<probes).map { _ in UInt32.random(in: 0xE000_0000...0xEFFF_FFFF, using: &rng) }
        let set = Set(listed)
        var found = 0
        let baseline = time { for value in hits where set.contains(value) { found += 1 } }
        let hitTime = time { for value in hits where index.match(IPAddress(ipv4: value)) != nil { found += 1 } }
        let missTime = time { for value in misses where index.match(IPAddress(ipv4: value)) != nil { found += 1 } }
        let names = (0..<probes).map { "www.host\($0 % entries).zone\($0 % entries % 5000).example" }
        let domainTime = time { for name in names where index.match(domain: name) != nil { found += 1 } }
        let ns = { (seconds: Double) in String(format: "%.0f", seconds / Double(probes) * 1e9) }
        print("lookups: IP hit \(ns(hitTime)) ns, IP miss \(ns(missTime)) ns, subdomain of a listed domain "
              + "\(ns(domainTime)) ns; Set<UInt32>.contains baseline \(ns(baseline)) ns "
              + "(IP hit ratio \(String(format: "%.1f", hitTime / baseline))x) [\(found) found]")
    }

    private static func time(_ body: () -> Void) -> Double { Stopwatch.seconds(body) }

    private static func lineCount(_ path: String) -> Int {
        guard let file = fopen(path, "r") else { return 0 }
        defer { fclose(file) }
        var count = 0
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        while getline(&line, &capacity, file) > 0 { count += 1 }
        free(line)
        return count
    }

    private static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kB = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kB * 1024
    }
}
