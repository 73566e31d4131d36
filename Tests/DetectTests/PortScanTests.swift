import NetCore
import Records
@testable import Detect
import Testing

@Suite("PortScanDetector")
struct PortScanTests {
    typealias Kit = DetectorsTestKit
    let scanner = Kit.ip("10.0.0.1")

    /// `count` not-established flows from the scanner to distinct IPs 10.1.0.x on one port.
    func horizontal(_ count: Int, port: UInt16 = 80, proto: TransportProtocol = .tcp, state: ConnState = .S0,
                    packets: UInt64 = 1, firstUID: UInt64 = 1, start: Double = 10) -> [ConnRecord] {
        (0..<count).map { i in
            Kit.flow(uid: firstUID + UInt64(i), src: scanner, dst: Kit.ip("10.1.0.0", plus: i + 1), dport: port,
                     proto: proto, state: state, start: start + Double(i) * 0.01, origPackets: packets)
        }
    }

    /// `count` not-established flows from the scanner to distinct ports 1000+i of one IP.
    func vertical(_ count: Int, target: IPAddress, state: ConnState = .S0, firstUID: UInt64 = 1,
                  start: Double = 10) -> [ConnRecord] {
        (0..<count).map { i in
            Kit.flow(uid: firstUID + UInt64(i), src: scanner, dst: target, dport: UInt16(1000 + i), state: state,
                     start: start + Double(i) * 0.01)
        }
    }

    @Test func horizontalScanReportedAtTenTargetsWithEveryField() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        let flows = horizontal(10)
        for flow in flows { detector.main(Kit.message(flow)) }
        let evidence = try #require(out.evidence.first)
        #expect(out.evidence.count == 1)
        #expect(evidence.type == .HORIZONTAL_PORT_SCAN)
        #expect(evidence.threatLevel == .high)
        #expect(evidence.confidence == 1.0)               // 10 packets / 10
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "10.0.0.1"))
        #expect(evidence.victim == nil)
        #expect(evidence.dstPort == 80)
        #expect(evidence.proto == .tcp)
        #expect(evidence.uids == flows.map(\.uid))
        #expect(evidence.profile == ProfileID(ip: scanner))
        #expect(evidence.timeWindow == Kit.window(1))
        #expect(evidence.timestamp == flows[0].startTime)   // the scan's first flow, as Slips
        #expect(evidence.description == "Horizontal port scan to port http 80/tcp. From 10.0.0.1 to 10 unique "
                + "destination IPs. Total packets sent: 10. Confidence: 1.0. by Slips")
    }

    @Test func nineHorizontalTargetsAreNotEnough() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        for flow in horizontal(9) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
    }

    @Test func anUnknownPortHasNoServiceNameAndTwoSpaces() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        for flow in horizontal(10, port: 8000, packets: 0) { detector.main(Kit.message(flow)) }
        let evidence = try #require(out.evidence.first)
        #expect(evidence.description.hasPrefix("Horizontal port scan to port  8000/tcp. From 10.0.0.1 to 10 unique"))
        #expect(evidence.confidence == 0.3)                // no packets: Slips' 0.3
        #expect(evidence.description.contains("Total packets sent: 0. Confidence: 0.3. by Slips"))
    }

    @Test(arguments: [(0 as UInt64, 0.3, "0.3"), (1, 0.1, "0.1"), (7, 0.7, "0.7"), (10, 1.0, "1.0"), (11, 1.0, "1"),
                      (5000, 1.0, "1")])
    func slipsScanConfidence(packets: UInt64, confidence: Double, text: String) {
        #expect(SlipsNumbers.scanConfidence(packets: packets) == confidence)
        #expect(SlipsNumbers.scanConfidenceText(packets: packets) == text)
    }

    @Test(arguments: [(9, 0), (10, 1), (11, 1), (99, 1), (100, 2), (101, 2), (999, 2), (1000, 3), (1200, 3)])
    func horizontalScanReportLevels(targets: Int, reports: Int) throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        for flow in horizontal(targets, packets: 2) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.count == reports)
        let counts = out.evidence.map { evidence in
            [10, 100, 1000].first { evidence.description.contains(" \($0) unique destination IPs") } ?? -1
        }
        #expect(counts == Array([10, 100, 1000].prefix(reports)))
        #expect(out.evidence.allSatisfy { $0.confidence == 1 && $0.threatLevel == .high })   // ≥ 20 packets
        if let last = out.evidence.last {
            #expect(last.uids.count == [10, 100, 1000][reports - 1])
        }
    }

    @Test func uidsOfAScanAreCappedToTheMostRecentThousand() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        let flows = horizontal(1000)
        // 200 retries to already counted targets first: more flows than the cap, same target count.
        for flow in flows.prefix(200) {
            var retry = flow
            retry.uid = FlowUID((flow.uid.value ?? 0) + 10_000)
            detector.main(Kit.message(retry))
        }
        for flow in flows { detector.main(Kit.message(flow)) }
        let top = try #require(out.evidence.last)
        #expect(top.description.contains("1000 unique destination IPs"))
        #expect(top.uids.count == 1000)
        // 1200 flows in all; the most recent 1000, oldest first, are exactly flows 1…1000.
        #expect(top.uids == flows.map(\.uid))
    }

    @Test func verticalScanReportedAtTenPortsWithVictim() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        let target = Kit.ip("192.168.5.5")
        let flows = vertical(10, target: target, state: .REJ)
        for flow in flows { detector.main(Kit.message(flow)) }
        let evidence = try #require(out.evidence.first)
        #expect(out.evidence.count == 1)
        #expect(evidence.type == .VERTICAL_PORT_SCAN)
        #expect(evidence.threatLevel == .high)
        #expect(evidence.confidence == 1.0)
        #expect(evidence.attacker.value == "10.0.0.1")
        #expect(evidence.attacker.direction == .SRC)
        #expect(evidence.victim == Victim(direction: .DST, value: "192.168.5.5"))
        #expect(evidence.proto == .tcp)
        #expect(evidence.uids == flows.map(\.uid))
        #expect(evidence.timeWindow == Kit.window(1))
        #expect(evidence.timestamp == flows[0].startTime)
        #expect(evidence.description == "new vertical port scan to IP 192.168.5.5 from 10.0.0.1. Total 10 TCP ports "
                + "were scanned. Total packets sent to all ports: 10. Confidence: 1.0. by Slips")
    }

    @Test func nineVerticalPortsAreNotEnoughAndLevelsRepeat() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        let target = Kit.ip("192.168.5.5")
        for flow in vertical(9, target: target) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
        for flow in vertical(91, target: target, firstUID: 100).map({ flow -> ConnRecord in
            var shifted = flow
            shifted.responderPort += 9                     // ports 1009…1099: 100 distinct in all
            return shifted
        }) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.map(\.type) == [.VERTICAL_PORT_SCAN, .VERTICAL_PORT_SCAN])
        #expect(out.evidence.last?.description.contains("Total 100 TCP ports were scanned") == true)
    }

    @Test func establishedFlowsDoNotCount() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        for state: ConnState in [.SF, .S1, .S2, .S3, .RSTO, .RSTR, .OTH] {
            for flow in horizontal(10, state: state) { detector.main(Kit.message(flow)) }
        }
        #expect(out.evidence.isEmpty)
        // Nine not established plus ten established targets: still only nine.
        for flow in horizontal(9, port: 443, state: .S0, firstUID: 100) { detector.main(Kit.message(flow)) }
        for flow in horizontal(10, port: 443, state: .SF, firstUID: 200) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
        // Each of Slips' not-established states counts.
        let states: [ConnState] = [.S0, .REJ, .RSTOS0, .RSTRH, .SH, .SHR, .S0, .REJ, .SH, .SHR]
        for (i, state) in states.enumerated() {
            detector.main(Kit.message(Kit.flow(uid: 300 + UInt64(i), src: scanner,
                                               dst: Kit.ip("10.2.0.0", plus: i), dport: 8080, state: state)))
        }
        #expect(out.of(.HORIZONTAL_PORT_SCAN).count == 1)
    }

    @Test func interimAndFinalRecordsOfOneFlowCountOnce() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        // Nine targets, each published as interim then final: still nine targets.
        for flow in horizontal(9) {
            var interim = flow
            interim.reason = .interim
            detector.main(Kit.message(interim))
            detector.main(Kit.message(flow))
        }
        #expect(out.evidence.isEmpty)
        // The tenth: interim (1 packet) then final (1 packet, same flow): packets counted once → 10, not 20.
        var tenth = horizontal(10)[9]
        tenth.reason = .interim
        detector.main(Kit.message(tenth))
        tenth.reason = .expired
        detector.main(Kit.message(tenth))
        let evidence = try #require(out.evidence.first)
        #expect(out.evidence.count == 1)
        #expect(evidence.description.contains("Total packets sent: 10."))
        #expect(evidence.uids.count == 10)
        #expect(Set(evidence.uids).count == 10)
    }

    @Test func interimPacketsGrowingAreCountedByIncrement() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        // Interim after 1 SYN, final after 2 (a retransmission): 2 packets per target, not 3.
        for flow in horizontal(10) {
            var interim = flow
            interim.reason = .interim
            detector.main(Kit.message(interim))
            var final = flow
            final.originatorPackets = 2
            detector.main(Kit.message(final))
        }
        // Evidence came from the tenth interim record: 9 × 2 + 1 = 19 packets → confidence 1.
        let evidence = try #require(out.evidence.first)
        #expect(evidence.description.contains("Total packets sent: 19"))
    }

    @Test func udpCountsOnlyUnansweredFlows() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        // Answered UDP (a DNS server replying) is established.
        for flow in horizontal(10, port: 53, proto: .udp, state: .OTH).map({ flow -> ConnRecord in
            var answered = flow
            answered.responderPackets = 1
            return answered
        }) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
        for flow in horizontal(10, port: 161, proto: .udp, state: .OTH, firstUID: 100) {
            detector.main(Kit.message(flow))
        }
        let evidence = try #require(out.evidence.first)
        #expect(evidence.type == .HORIZONTAL_PORT_SCAN)
        #expect(evidence.proto == .udp)
        #expect(evidence.dstPort == 161)
        #expect(evidence.description.contains("port snmp 161/udp."))
    }

    @Test func tcpAndUDPOnTheSamePortAreSeparateScans() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        for flow in horizontal(3, port: 53, proto: .tcp) { detector.main(Kit.message(flow)) }
        for flow in horizontal(3, port: 53, proto: .udp, state: .OTH, firstUID: 50) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
    }

    @Test func multicastAndBroadcastDestinationsAreSkipped() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        for i in 0..<10 {
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 1), src: scanner, dst: Kit.ip("239.255.0.0", plus: i),
                                               dport: 1900, proto: .udp, state: .OTH)))
        }
        detector.main(Kit.message(Kit.flow(uid: 99, src: scanner, dst: Kit.ip("255.255.255.255"), dport: 1900,
                                           proto: .udp, state: .OTH)))
        #expect(out.evidence.isEmpty)
    }

    @Test func aNewWindowStartsFromZero() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        for flow in horizontal(9, start: 3000) { detector.main(Kit.message(flow)) }
        // Window 2 begins at 3600 s: nine more targets there are nine, not eighteen.
        for flow in horizontal(9, firstUID: 100, start: 3700) { detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
        // A late record of window 1 (a flow that expired after window 2 began) still counts for window 1.
        let late = Kit.flow(uid: 500, src: scanner, dst: Kit.ip("10.9.9.9"), dport: 80, start: 3599)
        detector.main(Kit.message(late))
        let evidence = try #require(out.evidence.first)
        #expect(evidence.timeWindow == Kit.window(1))
        #expect(out.evidence.count == 1)
    }

    @Test func aClosedWindowForgetsItsCountsAndIgnoresLateRecords() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        for flow in horizontal(5) { detector.main(Kit.message(flow)) }
        #expect(detector.windows.stateCount == 1)
        #expect(detector.budget.used > 0)
        detector.main(.twClosed(ProfileID(ip: scanner), Kit.window(1)))
        #expect(detector.windows.stateCount == 0)
        #expect(detector.budget.used == 0)
        detector.main(Kit.message(Kit.flow(uid: 77, src: scanner, dst: Kit.ip("10.9.9.9"), dport: 80, start: 20)))
        #expect(out.evidence.isEmpty)
        #expect(detector.windows.ignoredLateRecords == 1)
    }

    @Test func windowsTwoAheadDropOlderState() throws {
        let (detector, _) = try Kit.make(PortScanDetector.self)
        for flow in horizontal(5) { detector.main(Kit.message(flow)) }
        detector.main(Kit.message(horizontal(1, firstUID: 50, start: 3 * 3600 + 10)[0]))
        #expect(detector.windows.stateCount == 1)
    }

    @Test func tickSweepsWindowsThatEndedLongAgo() throws {
        let (detector, _) = try Kit.make(PortScanDetector.self)
        for flow in horizontal(5) { detector.main(Kit.message(flow)) }
        detector.tick(now: Kit.at(100))                      // starts the schedule
        detector.tick(now: Kit.at(3600 + 200))               // due, but window 1 ended only 200 s ago
        #expect(detector.windows.stateCount == 1)
        detector.tick(now: Kit.at(3600 + 301))
        detector.tick(now: Kit.at(3600 + 400))
        #expect(detector.windows.stateCount == 0)
        #expect(detector.budget.used == 0)
    }

    @Test func stateStaysWithinItsCapsUnderAFlood() throws {
        let (detector, _) = try Kit.make(PortScanDetector.self)
        // 40,000 flows to distinct (IP, port) pairs: far more units than one window may hold.
        for i in 0..<40_000 {
            let flow = Kit.flow(uid: UInt64(i + 1), src: scanner, dst: Kit.ip("10.64.0.0", plus: i),
                                dport: UInt16(1 + i % 60_000), start: 10 + Double(i) * 0.001)
            detector.main(Kit.message(flow))
        }
        #expect(detector.budget.used <= PortScanDetector.windowUnitCap + 1)
        #expect(detector.budget.refused > 0, "used \(detector.budget.used) states \(detector.windows.stateCount)")
        detector.main(.twClosed(ProfileID(ip: scanner), Kit.window(1)))
        #expect(detector.budget.used == 0)
    }

    @Test func ipv6ScansAreDetected() throws {
        let (detector, out) = try Kit.make(PortScanDetector.self)
        let source = Kit.ip("2001:db8::1")
        for i in 0..<10 {
            let flow = Kit.flow(uid: UInt64(i + 1), src: source, dst: Kit.ip("2001:db8::\(100 + i)"), dport: 22)
            detector.main(Kit.message(flow))
        }
        #expect(out.of(.HORIZONTAL_PORT_SCAN).first?.attacker.value == "2001:db8::1")
    }
}
