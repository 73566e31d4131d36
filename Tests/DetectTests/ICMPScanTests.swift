import NetCore
import Records
@testable import Detect
import Testing

@Suite("ICMPScanDetector")
struct ICMPScanTests {
    typealias Kit = DetectorsTestKit
    let pinger = Kit.ip("10.0.0.7")

    /// `count` ICMP requests of `type` to distinct hosts 10.3.0.x.
    func requests(_ count: Int, type: UInt16 = 8, proto: TransportProtocol = .icmp, firstUID: UInt64 = 1,
                  start: Double = 5, answered: Bool = false) -> [ConnRecord] {
        (0..<count).map { i in
            Kit.flow(uid: firstUID + UInt64(i), src: pinger, sport: type, dst: Kit.ip("10.3.0.0", plus: i + 1),
                     dport: 0, proto: proto, state: .OTH, start: start + Double(i) * 0.1,
                     respPackets: answered ? 1 : 0)
        }
    }

    @Test func echoSweepReportedAtTenHostsWithEveryField() throws {
        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        let flows = requests(10, answered: true)           // answered or not, a sweep is a sweep
        for flow in flows { detector.main(Kit.message(flow)) }
        let evidence = try #require(out.evidence.first)
        #expect(out.evidence.count == 1)
        #expect(evidence.type == .ICMP_ADDRESS_SCAN)
        #expect(evidence.threatLevel == .medium)
        #expect(abs(evidence.confidence - 0.02) < 1e-9)   // Slips: (10 − 255) / 250 + 1
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "10.0.0.7"))
        #expect(evidence.victim == nil)
        #expect(evidence.srcPort == 8)
        #expect(evidence.proto == .icmp)
        #expect(evidence.uids == flows.map(\.uid))
        #expect(evidence.timeWindow == Kit.window(1))
        #expect(evidence.profile == ProfileID(ip: pinger))
        #expect(evidence.description == "10.0.0.7 performed ICMP address scan on 10 hosts")
    }

    @Test(arguments: [(5, 0.0), (10, 0.02), (25, 0.08), (100, 0.38), (255, 1.0), (1000, 1.0)])
    func slipsConfidenceOfASweep(hosts: Int, confidence: Double) {
        #expect(abs(ICMPScanDetector.confidence(hosts: hosts) - confidence) < 1e-9)
    }

    @Test func nineHostsAreNotEnough() throws {
        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        for flow in requests(9) { detector.main(Kit.message(flow)) }
        // The same nine hosts again (new flows): still nine hosts.
        for flow in requests(9, firstUID: 100, start: 60) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
    }

    @Test(arguments: [(9, 0), (10, 1), (99, 1), (100, 2), (999, 2), (1000, 3), (1100, 3)])
    func reportLevels(hosts: Int, reports: Int) throws {
        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        for flow in requests(hosts) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.count == reports)
        let counts = out.evidence.map { evidence in
            [10, 100, 1000].first { evidence.description.hasSuffix(" on \($0) hosts") } ?? -1
        }
        #expect(counts == Array([10, 100, 1000].prefix(reports)))
    }

    @Test func hostsAreForgottenOnceTheTopLevelIsReported() throws {
        // Levels up to 1000 only, so that 1000 hosts reach the top.
        let (detector, _) = try Kit.make(ICMPScanDetector.self,
                                         own: ScanReportSettings(minimumTargets: 10, reportLevels: [100, 1000]))
        for flow in requests(999) { detector.main(Kit.message(flow)) }
        let before = detector.budget.used
        detector.main(Kit.message(requests(1000)[999]))
        // 999 hosts given back; what stays is the window, the sweep and its uid slots.
        #expect(detector.budget.used == before + 1 - 999)
        detector.main(.twClosed(ProfileID(ip: pinger), Kit.window(1)))
        #expect(detector.budget.used == 0)
    }

    @Test(arguments: [(UInt16(13), EvidenceType.ICMP_TIMESTAMP_SCAN), (UInt16(17), EvidenceType.ICMP_ADDRESS_MASK_SCAN)])
    func timestampAndAddressMaskSweeps(type: UInt16, evidenceType: EvidenceType) throws {
        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        for flow in requests(9, type: type) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
        detector.main(Kit.message(requests(10, type: type)[9]))
        let evidence = try #require(out.evidence.first)
        #expect(evidence.type == evidenceType)
        #expect(evidence.description == "10.0.0.7 performed ICMP \(type == 13 ? "timestamp" : "address mask") scan on 10 hosts")
        #expect(evidence.srcPort == type)
        #expect(evidence.threatLevel == .medium)
    }

    @Test func icmpv6EchoRequestsAreAddressScans() throws {
        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        let source = Kit.ip("2001:db8::7")
        for i in 0..<10 {
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 1), src: source, sport: 128,
                                               dst: Kit.ip("2001:db8::\(200 + i)"), dport: 0, proto: .icmpv6,
                                               state: .OTH)))
        }
        let evidence = try #require(out.evidence.first)
        #expect(evidence.type == .ICMP_ADDRESS_SCAN)
        #expect(evidence.proto == .icmpv6)
    }

    @Test func kindsAreCountedApartAndOtherTypesIgnored() throws {
        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        // 3 echo + 3 timestamp requests: two sweeps of three, no evidence.
        for flow in requests(3, type: 8) { detector.main(Kit.message(flow)) }
        for flow in requests(3, type: 13, firstUID: 50) { detector.main(Kit.message(flow)) }
        // Replies, unreachables, router solicitations, ICMPv6 type 8 (not an echo request there), UDP "port 8".
        for (type, proto) in [(UInt16(0), TransportProtocol.icmp), (3, .icmp), (10, .icmp), (8, .icmpv6), (8, .udp)] {
            for flow in requests(10, type: type, proto: proto, firstUID: 1000 + UInt64(type) * 100) {
                detector.main(Kit.message(flow))
            }
        }
        #expect(out.evidence.isEmpty)
    }

    @Test func interimAndFinalRecordsCountPacketsOnce() throws {
        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        for flow in requests(10) {
            var interim = flow
            interim.reason = .interim
            detector.main(Kit.message(interim))
            detector.main(Kit.message(flow))
        }
        let evidence = try #require(out.evidence.first)
        #expect(out.evidence.count == 1)
        #expect(evidence.description.hasSuffix(" on 10 hosts"))   // 10 hosts, not 20 records
        #expect(evidence.uids.count == 10)
    }

    @Test func aNewWindowStartsFromZero() throws {
        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        for flow in requests(9, start: 3500) { detector.main(Kit.message(flow)) }
        for flow in requests(9, firstUID: 100, start: 3650) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
        detector.main(Kit.message(Kit.flow(uid: 999, src: pinger, sport: 8, dst: Kit.ip("10.3.9.9"), dport: 0,
                                           proto: .icmp, state: .OTH, start: 3700)))
        let evidence = try #require(out.evidence.first)
        #expect(evidence.timeWindow == Kit.window(2))
    }

    @Test func broadcastPingsAreSkipped() throws {
        let (detector, out) = try Kit.make(ICMPScanDetector.self)
        for i in 0..<8 {
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 1), src: pinger, sport: 8,
                                               dst: Kit.ip("224.0.0.0", plus: i), dport: 0, proto: .icmp,
                                               state: .OTH)))
        }
        #expect(out.evidence.isEmpty)
    }
}
