import NetCore
import Records
@testable import Detect
import Testing

@Suite("ARPScanDetector")
struct ARPScanTests {
    typealias Kit = DetectorsTestKit
    let sender = Kit.ip("192.168.1.50")

    func target(_ i: Int) -> IPAddress { Kit.ip("192.168.1.100", plus: i) }

    /// Requests for targets 0..<times.count at the given times.
    func requests(at times: [Double], firstTarget: Int = 0) -> [ChannelMessage] {
        times.enumerated().map { Kit.arp(at: $0.element, sender: sender, target: target(firstTarget + $0.offset)) }
    }

    @Test func fiveTargetsWithin29SecondsIsAScan() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        for message in requests(at: [100, 107, 114, 121, 129]) { detector.main(message) }
        let evidence = try #require(out.evidence.first)
        #expect(out.evidence.count == 1)
        #expect(evidence.type == .ARP_SCAN)
        #expect(evidence.threatLevel == .low)           // Slips' arp module
        #expect(evidence.confidence == 0.8)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.50"))
        #expect(evidence.victim == nil)
        #expect(evidence.profile == ProfileID(ip: sender))
        #expect(evidence.timeWindow == Kit.window(1))
        #expect(evidence.timestamp == Kit.at(129))
        #expect(evidence.uids.isEmpty)
        #expect(evidence.description == "performing an arp scan. Confidence 0.8.")
    }

    @Test func fiveTargetsSpreadOver31SecondsIsNot() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        for message in requests(at: [100, 108, 116, 124, 131]) { detector.main(message) }
        #expect(out.evidence.isEmpty)
    }

    @Test func exactlyTheIntervalStillCounts() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        for message in requests(at: [100, 110, 120, 125, 130]) { detector.main(message) }
        #expect(out.evidence.count == 1)
    }

    @Test func fourTargetsAreNotEnough() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        for message in requests(at: [100, 101, 102, 103]) { detector.main(message) }
        // Asking again for the same four does not make them more.
        for message in requests(at: [104, 105, 106, 107]) { detector.main(message) }
        #expect(out.evidence.isEmpty)
    }

    @Test func aSlidingWindowFindsFiveWithinTheIntervalLater() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        // Six targets at 0, 20, 40, 45, 50, 55 s: the five most recent span 50 s at 50, 35 s at 55: no scan.
        for message in requests(at: [0, 20, 40, 45, 50, 55]) { detector.main(message) }
        #expect(out.evidence.isEmpty)
        detector.main(Kit.arp(at: 62, sender: sender, target: target(6)))
        // Most recent five: 40, 45, 50, 55, 62 → 22 s.
        #expect(out.evidence.count == 1)
    }

    @Test func gratuitousARPAndProbesAreIgnored() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        for message in requests(at: [100, 101, 102, 103]) { detector.main(message) }
        // Gratuitous: sender asks for its own address (a fifth distinct "target" if it counted).
        detector.main(Kit.arp(at: 104, sender: sender, target: sender))
        #expect(out.evidence.isEmpty)
        // Probes from 0.0.0.0 (address conflict detection) for ten addresses.
        for i in 0..<10 { detector.main(Kit.arp(at: 105 + Double(i), sender: .zeroIPv4, target: target(20 + i))) }
        #expect(out.evidence.isEmpty)
    }

    @Test func repliesAndUnicastRequestsAreIgnored() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        for i in 0..<10 {
            detector.main(Kit.arp(at: 100 + Double(i), sender: sender, target: target(i), operation: 2))
            detector.main(Kit.arp(at: 100 + Double(i), sender: sender, target: target(i),
                                  destinationMAC: MACAddress(0x0200_0000_0099)))
        }
        #expect(out.evidence.isEmpty)
        // Captures without Ethernet addresses (MAC unknown, zero) count.
        for i in 0..<5 { detector.main(Kit.arp(at: 200 + Double(i), sender: sender, target: target(i), destinationMAC: .zero)) }
        #expect(out.evidence.count == 1)
    }

    @Test func reportedOncePerBurstAndAgainForANewBurst() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        // One burst: 50 targets, one a second.
        for message in requests(at: (0..<50).map { 100 + Double($0) }) { detector.main(message) }
        #expect(out.evidence.count == 1)
        // 31 s of silence ends the burst; a new one is reported again.
        for message in requests(at: (0..<5).map { 180 + Double($0) }, firstTarget: 60) { detector.main(message) }
        #expect(out.evidence.count == 2)
    }

    @Test func aScanGoingOnIntoANewWindowIsReportedThere() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        // A request every 2 s from 3580 s to 3640 s: one burst across the boundary at 3600 s.
        for message in requests(at: (0..<31).map { 3580 + 2 * Double($0) }) { detector.main(message) }
        #expect(out.evidence.map(\.timeWindow.number) == [1, 2])
    }

    @Test func sendersAreCountedApartAndSilentOnesDropped() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self)
        for i in 0..<4 {
            detector.main(Kit.arp(at: 100 + Double(i), sender: sender, target: target(i)))
            detector.main(Kit.arp(at: 100 + Double(i), sender: Kit.ip("192.168.1.51"), target: target(10 + i)))
        }
        #expect(out.evidence.isEmpty)
        #expect(detector.senderCount == 2)
        detector.tick(now: Kit.at(104))
        detector.tick(now: Kit.at(140))
        #expect(detector.senderCount == 0)
    }

    @Test func settingsChangeThresholdAndInterval() throws {
        let (detector, out) = try Kit.make(ARPScanDetector.self,
                                           own: ARPScanDetector.Settings(scanThreshold: 3, scanInterval: 5))
        for message in requests(at: [0, 3, 6]) { detector.main(message) }   // three targets in 6 s: too slow
        #expect(out.evidence.isEmpty)
        detector.main(Kit.arp(at: 7, sender: sender, target: target(3)))     // the last three in 4 s
        #expect(out.evidence.count == 1)
        detector.main(Kit.arp(at: 8, sender: sender, target: target(4)))     // same burst
        #expect(out.evidence.count == 1)
    }
}
