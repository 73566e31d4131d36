import NetCore
import Records
@testable import Detect
import Testing
import TestSupport

/// Blinding by state exhaustion (issue 8): a flood of forged, random sources must not keep a real scanner or
/// guesser from being seen, and must not grow a detector's state past its budget.
@Suite("Flood")
struct FloodTests {
    typealias Kit = DetectorsTestKit
    let scanner = Kit.ip("10.0.0.1")

    /// Seeded SplitMix64, so a run replays exactly.
    typealias SplitMix = SplitMix64

    /// A random unicast IPv4 source outside 10.0.0.0/8 (where the real hosts of these tests live).
    static func randomSource(_ random: inout SplitMix) -> IPAddress {
        while true {
            let value = UInt32(truncatingIfNeeded: random.next())
            let first = value >> 24
            if first == 0 || first == 10 || first == 127 || first >= 224 { continue }
            return IPAddress(ipv4: value)
        }
    }

    /// `count` single-SYN flows from distinct random sources to random hosts and ports, from `start` on.
    static func synFlood(_ count: Int, seed: UInt64 = 1, firstUID: UInt64 = 10_000_000,
                         start: Double = 1) -> [ConnRecord] {
        var random = SplitMix(state: seed)
        var seen = Set<IPAddress>()
        var flows: [ConnRecord] = []
        flows.reserveCapacity(count)
        while flows.count < count {
            let source = randomSource(&random)
            guard seen.insert(source).inserted else { continue }
            let target = IPAddress(ipv4: 0x0A80_0000 | UInt32(truncatingIfNeeded: random.next() & 0x7F_FFFF))
            let port = UInt16(1 + random.next() % 65_535)
            flows.append(Kit.flow(uid: firstUID + UInt64(flows.count), src: source, dst: target, dport: port,
                                  start: start + Double(flows.count) * 0.0005))
        }
        return flows
    }

    /// A vertical scan of 1000 ports of 10.2.0.1 and a horizontal scan of port 443 on 100 hosts, from the scanner.
    func scans(start: Double) -> [ConnRecord] {
        let target = Kit.ip("10.2.0.1")
        let vertical = (0..<1000).map { (i: Int) -> ConnRecord in
            let time: Double = start + Double(i) * 0.01
            return Kit.flow(uid: UInt64(i + 1), src: scanner, dst: target, dport: UInt16(1000 + i), start: time)
        }
        let horizontal = (0..<100).map { (i: Int) -> ConnRecord in
            let time: Double = start + 10 + Double(i) * 0.01
            return Kit.flow(uid: UInt64(2000 + i), src: scanner, dst: Kit.ip("10.4.0.0", plus: i + 1), dport: 443,
                            start: time)
        }
        return vertical + horizontal
    }

    /// What must be equal between evidence raised with and without a flood (everything but the random id).
    struct Seen: Equatable, CustomStringConvertible {
        var type: EvidenceType
        var text: String
        var confidence: Double
        var uids: [FlowUID]
        var attacker: Attacker
        var window: Int
        var description: String { "\(type) \(text)" }
        init(_ evidence: Evidence) {
            type = evidence.type
            text = evidence.description
            confidence = evidence.confidence
            uids = evidence.uids
            attacker = evidence.attacker
            window = evidence.timeWindow.number
        }
    }

    static func seen(_ out: Kit.Collector, from attacker: IPAddress) -> [Seen] {
        out.evidence.filter { $0.attacker.value == "\(attacker)" }.map(Seen.init)
    }

    // MARK: port scans

    @Test func aPortScannerIsSeenAfterAFloodOfRandomSources() throws {
        let (alone, aloneOut) = try Kit.make(PortScanDetector.self)
        for flow in scans(start: 200) { alone.main(Kit.message(flow)) }
        let expected = Self.seen(aloneOut, from: scanner)
        #expect(expected.filter { $0.type == .VERTICAL_PORT_SCAN }.count == 3)      // 10, 100, 1000 ports
        #expect(expected.filter { $0.type == .HORIZONTAL_PORT_SCAN }.count == 2)    // 10, 100 hosts

        let (detector, out) = try Kit.make(PortScanDetector.self)
        for flow in Self.synFlood(120_000) { detector.main(Kit.message(flow)) }
        #expect(detector.budget.used <= detector.budget.limit)
        for flow in scans(start: 200) { detector.main(Kit.message(flow)) }
        #expect(Self.seen(out, from: scanner) == expected)
        #expect(out.evidence.count == expected.count)            // no flood source reported
    }

    @Test func aPortScannerIsSeenWhileAFloodGoesOn() throws {
        let (alone, aloneOut) = try Kit.make(PortScanDetector.self)
        for flow in scans(start: 200) { alone.main(Kit.message(flow)) }
        let expected = Self.seen(aloneOut, from: scanner)

        let (detector, out) = try Kit.make(PortScanDetector.self)
        let flood = Self.synFlood(220_000)
        for flow in flood[..<60_000] { detector.main(Kit.message(flow)) }
        // 100 forged SYNs between two probes of the scanner.
        var next = 60_000
        for flow in scans(start: 200) {
            detector.main(Kit.message(flow))
            for forged in flood[next..<next + 100] { detector.main(Kit.message(forged)) }
            next += 100
        }
        #expect(Self.seen(out, from: scanner) == expected)
        #expect(out.evidence.count == expected.count)
        let statistics = detector.budgetStatistics
        #expect(statistics.evictions > 0)
        #expect(statistics.peakUsed <= statistics.limit)
    }

    @Test func sourcesWithEvidenceAreKeptThroughAFlood() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        // Ten ports: reported once, then the flood, then ninety more ports reach the next level (100).
        let target = Kit.ip("10.2.0.1")
        for i in 0..<10 {
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 1), src: scanner, dst: target,
                                               dport: UInt16(1000 + i), start: 0.5)))
        }
        for flow in Self.synFlood(120_000) { detector.main(Kit.message(flow)) }
        for i in 10..<100 {
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 1), src: scanner, dst: target,
                                               dport: UInt16(1000 + i), start: 100)))
        }
        let vertical = out.of(.VERTICAL_PORT_SCAN)
        #expect(vertical.count == 2)
        #expect(vertical.last?.description.contains("Total 100 TCP ports were scanned") == true)
    }

    @Test func forgedSourcesThatEachEarnEvidenceDoNotHideARealScan() throws {
        let (alone, aloneOut) = try Kit.make(PortScanDetector.self)
        for flow in scans(start: 200) { alone.main(Kit.message(flow)) }
        let expected = Self.seen(aloneOut, from: scanner)

        let (detector, out) = try Kit.make(PortScanDetector.self)
        // 15,000 forged sources, each probing six ports of one host: each is reported once, and together they
        // would hold ~390 k units, more than the budget.
        var random = SplitMix(state: 11)
        var uid: UInt64 = 40_000_000
        for source in 0..<15_000 {
            let forged = IPAddress(ipv4: 0x2000_0000 &+ UInt32(source) &* 13)
            let target = IPAddress(ipv4: 0x0A80_0000 | UInt32(truncatingIfNeeded: random.next() & 0x7F_FFFF))
            for port in 0..<6 {
                uid += 1
                detector.main(Kit.message(Kit.flow(uid: uid, src: forged, dst: target, dport: UInt16(100 + port),
                                                   start: 1 + Double(source) * 0.001)))
            }
        }
        #expect(detector.budgetStatistics.evictions > 0)
        for flow in scans(start: 200) { detector.main(Kit.message(flow)) }
        #expect(Self.seen(out, from: scanner) == expected)
        #expect(detector.budgetStatistics.peakUsed <= detector.budget.limit)
    }

    @Test func aMillionSourcesStayWithinTheBudget() throws {
        let (detector, _) = try Kit.make(PortScanDetector.self)
        let limit = detector.budget.limit
        var random = SplitMix(state: 7)
        for i in 0..<1_000_000 {
            // Distinct sources: a random high part and the counter, so none repeats.
            let source = IPAddress(ipv4: 0x2000_0000 &+ UInt32(i) &* 97 &+ UInt32(random.next() % 97))
            let flow = Kit.flow(uid: UInt64(i + 1), src: source, dst: Kit.ip("10.64.0.0", plus: i % 50_000),
                                dport: UInt16(1 + random.next() % 65_535), start: 1 + Double(i) * 0.0001)
            detector.main(Kit.message(flow))
            if i % 50_000 == 0 {
                #expect(detector.budget.used <= limit)
                #expect(detector.windows.stateCount <= limit)
                #expect(detector.windows.profileCount <= limit)
            }
        }
        #expect(detector.budget.used <= limit)
        #expect(detector.windows.stateCount <= limit)
        #expect(detector.windows.profileCount <= limit)
        #expect(detector.budgetStatistics.peakUsed <= limit)
        #expect(detector.budgetStatistics.evictions > 0)
    }

    // MARK: ICMP sweeps

    static func echoFlood(_ count: Int, seed: UInt64 = 3) -> [ConnRecord] {
        var random = SplitMix(state: seed)
        var seen = Set<IPAddress>()
        var flows: [ConnRecord] = []
        while flows.count < count {
            let source = randomSource(&random)
            guard seen.insert(source).inserted else { continue }
            let target = IPAddress(ipv4: 0x0A80_0000 | UInt32(truncatingIfNeeded: random.next() & 0x7F_FFFF))
            flows.append(Kit.flow(uid: 20_000_000 + UInt64(flows.count), src: source, sport: 8, dst: target,
                                  dport: 0, proto: .icmp, state: .OTH, start: 1 + Double(flows.count) * 0.0005))
        }
        return flows
    }

    func sweep(start: Double) -> [ConnRecord] {
        (0..<1000).map { (i: Int) -> ConnRecord in
            let time: Double = start + Double(i) * 0.01
            return Kit.flow(uid: UInt64(i + 1), src: scanner, sport: 8, dst: Kit.ip("10.3.0.0", plus: i + 1),
                            dport: 0, proto: .icmp, state: .OTH, start: time)
        }
    }

    @Test func anICMPSweepIsSeenAfterAndDuringAFlood() throws {
        let (alone, aloneOut) = try Kit.make(ICMPScanDetector.self)
        for flow in sweep(start: 200) { alone.main(Kit.message(flow)) }
        let expected = Self.seen(aloneOut, from: scanner)
        #expect(expected.count == 3)                              // 10, 100, 1000 hosts

        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        let flood = Self.echoFlood(200_000)
        for flow in flood[..<100_000] { detector.main(Kit.message(flow)) }
        var next = 100_000
        for flow in sweep(start: 200) {
            detector.main(Kit.message(flow))
            for forged in flood[next..<next + 100] { detector.main(Kit.message(forged)) }
            next += 100
        }
        #expect(Self.seen(out, from: scanner) == expected)
        #expect(out.evidence.count == expected.count)
        let statistics = detector.budgetStatistics
        #expect(statistics.evictions > 0)
        #expect(statistics.peakUsed <= statistics.limit)
        #expect(detector.windows.stateCount <= statistics.limit)
    }

    // MARK: SSH guessing

    @Test func sshGuessingIsSeenAfterAFloodOfBanners() throws {
        let server = Kit.ip("192.168.1.10")
        func guessing(_ detector: SSHPasswordGuessingDetector) {
            for i in 0..<18 {
                detector.main(Kit.ssh(uid: UInt64(i + 1), at: 200 + Double(i), client: scanner, server: server,
                                      port: 22))
            }
        }
        let (alone, aloneOut) = try Kit.make(SSHPasswordGuessingDetector.self)
        guessing(alone)
        let expected = Self.seen(aloneOut, from: scanner)
        #expect(expected.count == 4)                              // Slips' buckets: 9, 10, 12, 16 attempts

        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self)
        var random = SplitMix(state: 5)
        var seen = Set<IPAddress>()
        var uid: UInt64 = 30_000_000
        while seen.count < 100_000 {
            let source = Self.randomSource(&random)
            guard seen.insert(source).inserted else { continue }
            uid += 1
            detector.main(Kit.ssh(uid: uid, at: 1 + Double(seen.count) * 0.001, client: source, server: server,
                                  port: 22))
        }
        #expect(detector.budget.used <= detector.budget.limit)
        guessing(detector)
        #expect(Self.seen(out, from: scanner) == expected)
        #expect(out.evidence.count == expected.count)
        #expect(detector.budgetStatistics.evictions > 0)
    }

    // MARK: ARP scans

    @Test func anARPScanIsSeenAfterAFloodOfSenders() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        var random = SplitMix(state: 9)
        var seen = Set<IPAddress>()
        while seen.count < 100_000 {
            let sender = Self.randomSource(&random)
            guard seen.insert(sender).inserted else { continue }
            detector.main(Kit.arp(at: 1 + Double(seen.count) * 0.0001, sender: sender,
                                  target: Kit.ip("10.5.0.1")))
        }
        #expect(detector.senderCount <= ARPScanDetector.maxSenders)
        for i in 0..<5 {
            detector.main(Kit.arp(at: 12 + Double(i) * 0.1, sender: scanner, target: Kit.ip("10.5.0.0", plus: i + 2)))
        }
        #expect(out.of(.ARP_SCAN).count == 1)
        #expect(detector.senderCount <= ARPScanDetector.maxSenders)
        #expect(detector.budgetStatistics.evictions > 0)
    }

    // MARK: the budget itself

    @Test func evictionsAreCountedOnTheBudget() {
        let budget = StateBudget(limit: 10, owner: "test")
        #expect(budget.reserve(10))
        #expect(!budget.reserve())
        budget.recordEviction(units: 4)
        budget.release(4)
        #expect(budget.reserve(4))
        let statistics = budget.statistics
        #expect(statistics == StateBudgetStatistics(owner: "test", limit: 10, used: 10, peakUsed: 10, refused: 1,
                                                    evictions: 1, evictedUnits: 4))
    }
}
