import Detect
import Foundation
import NetCore
import TestSupport

/// `slipsd-bench asn DIR NETWORKS PROBES`: writes a GeoLite2-ASN-shaped database of NETWORKS random /24 networks
/// (1,000 AS numbers; `MMDBWriter`), opens it with `ASNDatabase` (libmaxminddb, memory-mapped) and times, in this
/// process, PROBES lookups of addresses inside the networks (hits) and outside them (misses), the matching path
/// of a flow (`number(of:)` then `ThreatIntelIndex.match(asNumber:)` with 100 listed AS numbers), against a plain
/// `Set<UInt32>.contains` of the same addresses as the baseline. Run it twice under valgrind with two PROBES to
/// count allocations per lookup (Benchmarks/run.sh section 5).
enum ASNLookups {
    static func run(_ arguments: [String]) {
        guard arguments.count == 5, let networks = Int(arguments[3]), let probes = Int(arguments[4]),
              networks > 0, networks <= 1 << 20, probes > 0 else {
            print("usage: slipsd-bench asn DIR NETWORKS PROBES"); exit(2)
        }
        var rng = SystemRandomNumberGenerator()
        var prefixes = Set<UInt32>()
        while prefixes.count < networks { prefixes.insert(UInt32.random(in: 0x0100_00...0xDF_FFFF, using: &rng)) }
        let sorted = prefixes.sorted()
        var writer = MMDBWriter()
        for (i, prefix) in sorted.enumerated() {
            writer.add(network: "\(prefix >> 16).\((prefix >> 8) & 255).\(prefix & 255).0", prefix: 24,
                       asn: 64_000 + UInt32(i % 1_000), organization: "AS \(i % 1_000) networks")
        }
        let path = arguments[2] + "/bench-asn.mmdb"
        do { try writer.write(to: path) } catch { print("\(error)"); exit(1) }
        let database: ASNDatabase
        do { database = try ASNDatabase(path: path) } catch { print("\(error)"); exit(1) }
        var index = ThreatIntelIndex()
        let listed = (0..<100).map { "AS\(64_000 + $0 * 10)\n" }.joined()
        index.add(feed: listed, format: .lines, from: IoCSource(feed: "bench-asn", threatLevel: .medium))

        let hits = (0..<probes).map { _ in sorted[Int.random(in: 0..<sorted.count, using: &rng)] << 8 | UInt32.random(in: 0...255, using: &rng) }
        let misses = (0..<probes).map { _ in UInt32.random(in: 0xE000_0000...0xEFFF_FFFF, using: &rng) }
        let set = Set(hits)
        var found = 0
        let baseline = time { for value in hits where set.contains(value) { found += 1 } }
        let hitTime = time { for value in hits where database.number(of: IPAddress(ipv4: value)) != nil { found += 1 } }
        let missTime = time { for value in misses where database.number(of: IPAddress(ipv4: value)) != nil { found += 1 } }
        var matched = 0
        let matchTime = time {
            for value in hits {
                if let number = database.number(of: IPAddress(ipv4: value)), index.match(asNumber: number) != nil { matched += 1 }
            }
        }
        let ns = { (seconds: Double) in String(format: "%.0f", seconds / Double(probes) * 1e9) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("ASN database: \(networks) networks, \(size / 1024) KiB; \(probes) lookups each: hit \(ns(hitTime)) ns "
              + "(\(Int(Double(probes) / hitTime)) /s), miss \(ns(missTime)) ns, lookup + IoC match \(ns(matchTime)) ns "
              + "(\(matched) listed); Set<UInt32>.contains baseline \(ns(baseline)) ns (hit ratio "
              + "\(String(format: "%.1f", hitTime / baseline))x) [\(found) found]")
    }

    private static func time(_ body: () -> Void) -> Double { Stopwatch.seconds(body) }
}
