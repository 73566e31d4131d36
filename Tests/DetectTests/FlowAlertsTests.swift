import NetCore
import Records
@testable import Detect
import Testing

@Suite("FlowAlertsDetector")
struct FlowAlertsTests {
    typealias Kit = DetectorsTestKit
    static let mib: UInt64 = 1_048_576
    let host = Kit.ip("192.168.1.20")
    let outside = Kit.ip("198.51.100.7")

    func established(uid: UInt64, to dst: IPAddress, port: UInt16, sport: UInt16 = 45_000, start: Double = 10,
                     duration: Double = 2, bytes: UInt64 = 1000, state: ConnState = .SF,
                     reason: ConnRecord.Reason = .expired) -> ConnRecord {
        var flow = Kit.flow(uid: uid, src: host, sport: sport, dst: dst, dport: port, state: state, start: start,
                            duration: duration, origPackets: 10, respPackets: 10, origBytes: bytes, respBytes: 500,
                            reason: reason)
        // DATA_UPLOAD counts the IP bytes seen: make them the bytes the test means.
        flow.originatorIPBytes = bytes
        return flow
    }

    @Test func subscribesToFlowsAndClosedWindows() throws {
        let (_, out) = try Kit.make(FlowAlertsDetector.self)
        #expect(out.context?.subscriptions == [.newFlow, .twClosed])
    }

    // MARK: LONG_CONNECTION

    @Test func longConnectionJustAboveTheThreshold() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        let flow = established(uid: 1, to: outside, port: 443, duration: 1500.5)
        detector.main(Kit.message(flow))
        let evidence = try #require(out.of(.LONG_CONNECTION).first)
        #expect(out.evidence.count == 1)
        #expect(evidence.threatLevel == .low)
        #expect(evidence.confidence == 0.5)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.20"))
        #expect(evidence.victim == Victim(direction: .DST, value: "198.51.100.7"))
        #expect(evidence.srcPort == 45_000)
        #expect(evidence.dstPort == 443)
        #expect(evidence.proto == .tcp)
        #expect(evidence.uids == [FlowUID(1)])
        #expect(evidence.timeWindow == Kit.window(1))
        #expect(evidence.profile == ProfileID(ip: host))
    }

    @Test func longConnectionAtExactlyTheThresholdIsNot() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 443, duration: 1500)))
        #expect(out.evidence.isEmpty)
    }

    @Test func longConnectionReportedOncePerFlowFromInterimRecords() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for (duration, reason) in [(600.0, ConnRecord.Reason.interim), (1600, .interim), (3000, .interim),
                                   (4000, .expired)] {
            detector.main(Kit.message(established(uid: 7, to: outside, port: 22, duration: duration, reason: reason)))
        }
        #expect(out.of(.LONG_CONNECTION).count == 1)
        #expect(out.of(.LONG_CONNECTION).first?.description.contains("1600 s") == true)
        // A second long flow is a second report.
        detector.main(Kit.message(established(uid: 8, to: outside, port: 22, duration: 2000)))
        #expect(out.of(.LONG_CONNECTION).count == 2)
    }

    @Test func longConnectionsToMulticastAreSkipped() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        let flow = Kit.flow(uid: 1, src: host, dst: Kit.ip("239.255.255.250"), dport: 1900, proto: .udp,
                            state: .OTH, duration: 5000)
        detector.main(Kit.message(flow))
        #expect(out.of(.LONG_CONNECTION).isEmpty)
    }

    // MARK: DATA_UPLOAD

    @Test func uploadOfExactly100MiBInOneFlow() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 443, bytes: 100 * Self.mib)))
        let evidence = try #require(out.of(.DATA_UPLOAD).first)
        #expect(out.evidence.count == 1)
        #expect(evidence.threatLevel == .high)
        #expect(evidence.confidence == 0.6)
        #expect(evidence.attacker.value == "192.168.1.20")
        #expect(evidence.victim == Victim(direction: .DST, value: "198.51.100.7"))
        #expect(evidence.dstPort == 443)
        #expect(evidence.uids == [FlowUID(1)])
        #expect(evidence.timeWindow == Kit.window(1))
        #expect(evidence.description.contains("100 MiB in one flow"))
    }

    @Test func uploadOneByteBelow100MiBIsNot() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 443, bytes: 100 * Self.mib - 1)))
        #expect(out.evidence.isEmpty)
    }

    @Test func uploadsToPrivateDestinationsAreNotCounted() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: Kit.ip("192.168.1.5"), port: 445, bytes: 900 * Self.mib)))
        detector.main(Kit.message(established(uid: 2, to: Kit.ip("fd00::5"), port: 445, bytes: 900 * Self.mib)))
        #expect(out.evidence.isEmpty)
    }

    @Test func uploadFlowReportedOncePerFlowAndOncePerDestinationAndWindow() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        var flow = established(uid: 1, to: outside, port: 443, bytes: 150 * Self.mib, reason: .interim)
        detector.main(Kit.message(flow))
        flow.originatorIPBytes = 200 * Self.mib
        detector.main(Kit.message(flow))
        flow.reason = .expired
        detector.main(Kit.message(flow))
        #expect(out.of(.DATA_UPLOAD).count == 1)
        // Another large flow to the same destination in the same window: no new evidence.
        detector.main(Kit.message(established(uid: 2, to: outside, port: 443, start: 20, bytes: 120 * Self.mib)))
        #expect(out.of(.DATA_UPLOAD).count == 1)
        // To another destination: new evidence.
        detector.main(Kit.message(established(uid: 3, to: Kit.ip("198.51.100.8"), port: 443, start: 30,
                                              bytes: 120 * Self.mib)))
        #expect(out.of(.DATA_UPLOAD).count == 2)
    }

    @Test func windowSumReachesExactly500MiB() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        // Ten flows of 50 MiB to ten destinations: none is large, the sum is.
        for i in 0..<9 {
            detector.main(Kit.message(established(uid: UInt64(i + 1), to: Kit.ip("198.51.100.0", plus: i),
                                                  port: 443, start: 10 + Double(i), bytes: 50 * Self.mib)))
        }
        #expect(out.evidence.isEmpty)
        detector.main(Kit.message(established(uid: 10, to: Kit.ip("198.51.100.50"), port: 443, start: 30,
                                              bytes: 50 * Self.mib - 1)))
        #expect(out.evidence.isEmpty)                           // one byte short
        detector.main(Kit.message(established(uid: 11, to: Kit.ip("198.51.100.51"), port: 443, start: 31, bytes: 1)))
        let evidence = try #require(out.of(.DATA_UPLOAD).first)
        #expect(out.evidence.count == 1)
        #expect(evidence.description.contains("500 MiB sent to outside destinations in timewindow1"))
        #expect(evidence.timeWindow == Kit.window(1))
        // Once per window.
        detector.main(Kit.message(established(uid: 12, to: Kit.ip("198.51.100.52"), port: 443, start: 40,
                                              bytes: 90 * Self.mib)))
        #expect(out.evidence.count == 1)
    }

    @Test func windowSumCountsEachFlowOnceAcrossInterimRecords() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        var flow = established(uid: 1, to: outside, port: 443, bytes: 60 * Self.mib, reason: .interim)
        detector.main(Kit.message(flow))
        flow.originatorIPBytes = 80 * Self.mib
        detector.main(Kit.message(flow))
        flow.originatorIPBytes = 99 * Self.mib
        flow.reason = .expired
        detector.main(Kit.message(flow))               // 99 MiB in all, not 239
        for i in 0..<4 {
            detector.main(Kit.message(established(uid: UInt64(10 + i), to: Kit.ip("198.51.100.100", plus: i),
                                                  port: 443, start: 20, bytes: 99 * Self.mib)))
        }
        #expect(out.evidence.isEmpty)                  // 495 MiB
        detector.main(Kit.message(established(uid: 20, to: Kit.ip("198.51.100.120"), port: 443, start: 30,
                                              bytes: 5 * Self.mib)))
        #expect(out.of(.DATA_UPLOAD).count == 1)       // 500 MiB
    }

    @Test func windowSumStartsFromZeroInANewWindow() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for i in 0..<5 {
            detector.main(Kit.message(established(uid: UInt64(i + 1), to: Kit.ip("198.51.100.0", plus: i),
                                                  port: 443, start: 3000, bytes: 90 * Self.mib)))
        }
        for i in 0..<5 {
            detector.main(Kit.message(established(uid: UInt64(i + 10), to: Kit.ip("198.51.100.0", plus: i),
                                                  port: 443, start: 3700, bytes: 90 * Self.mib)))
        }
        #expect(out.evidence.isEmpty)
    }

    // MARK: PORT_0_CONNECTION

    @Test(arguments: [(UInt16(0), UInt16(80), TransportProtocol.tcp), (40_000, 0, .tcp), (0, 53, .udp), (5000, 0, .udp)])
    func port0Connections(sport: UInt16, dport: UInt16, proto: TransportProtocol) throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        let flow = Kit.flow(uid: 1, src: host, sport: sport, dst: outside, dport: dport, proto: proto,
                            state: proto == .tcp ? .S0 : .OTH)
        detector.main(Kit.message(flow))
        let evidence = try #require(out.of(.PORT_0_CONNECTION).first)
        #expect(out.evidence.count == 1)
        #expect(evidence.threatLevel == .high)
        #expect(evidence.confidence == 0.8)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.20"))
        #expect(evidence.victim == Victim(direction: .DST, value: "198.51.100.7"))
        #expect(evidence.srcPort == sport)
        #expect(evidence.dstPort == dport)
        #expect(evidence.proto == proto)
        #expect(evidence.uids == [FlowUID(1)])
    }

    @Test func port0ReportedOncePerFlowAndIgnoredForICMP() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        var flow = Kit.flow(uid: 1, src: host, sport: 0, dst: outside, dport: 80, reason: .interim)
        detector.main(Kit.message(flow))
        flow.reason = .expired
        detector.main(Kit.message(flow))
        #expect(out.of(.PORT_0_CONNECTION).count == 1)
        // An ICMP echo reply has type 0 in the source port field: not a port.
        detector.main(Kit.message(Kit.flow(uid: 2, src: host, sport: 0, dst: outside, dport: 0, proto: .icmp,
                                           state: .OTH)))
        #expect(out.of(.PORT_0_CONNECTION).count == 1)
    }

    @Test func port0EvidenceIsCappedPerWindow() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for i in 0..<150 {
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 1), src: host, sport: 0, dst: outside,
                                               dport: UInt16(1000 + i), start: 10)))
        }
        #expect(out.of(.PORT_0_CONNECTION).count == 100)
    }

    // MARK: MULTIPLE_RECONNECTION_ATTEMPTS

    func rejected(_ count: Int, firstUID: UInt64 = 1, start: Double = 10, port: UInt16 = 8443,
                  reason: ConnRecord.Reason = .expired) -> [ConnRecord] {
        (0..<count).map { i in
            Kit.flow(uid: firstUID + UInt64(i), src: host, sport: UInt16(40_000 + i), dst: outside, dport: port,
                     state: .REJ, start: start + Double(i), origPackets: 1, respPackets: 1, reason: reason)
        }
    }

    @Test func fiveRejectedConnectionsAreReconnectionAttempts() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        let flows = rejected(5)
        for flow in flows { detector.main(Kit.message(flow)) }
        let evidence = try #require(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).first)
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).count == 1)
        #expect(evidence.threatLevel == .medium)
        #expect(evidence.confidence == 0.5)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.20"))
        #expect(evidence.victim == Victim(direction: .DST, value: "198.51.100.7"))
        #expect(evidence.dstPort == 8443)
        #expect(evidence.proto == .tcp)
        #expect(evidence.uids == flows.map(\.uid))
        #expect(evidence.timeWindow == Kit.window(1))
    }

    @Test func fourRejectedConnectionsAreNot() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for flow in rejected(4) { detector.main(Kit.message(flow)) }
        // Unanswered (S0) attempts to the same port are not rejections.
        for flow in rejected(4, firstUID: 100).map({ flow -> ConnRecord in
            var unanswered = flow
            unanswered.connState = .S0
            return unanswered
        }) { detector.main(Kit.message(flow)) }
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).isEmpty)
    }

    @Test func interimAndFinalREJRecordsCountOnce() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for flow in rejected(4) {
            var interim = flow
            interim.reason = .interim
            detector.main(Kit.message(interim))
            detector.main(Kit.message(flow))
        }
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).isEmpty)
        var fifth = rejected(5)[4]
        fifth.reason = .interim
        detector.main(Kit.message(fifth))
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).count == 1)
    }

    @Test(arguments: [(9, 1), (10, 2), (14, 2), (15, 3)])
    func reconnectionsReportedAgainAtEachMultiple(count: Int, reports: Int) throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for flow in rejected(count) { detector.main(Kit.message(flow)) }
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).count == reports)
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).allSatisfy { $0.uids.count == 5 })
    }

    @Test func reconnectionsAreCountedPerPortAndPerWindow() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for flow in rejected(3, port: 8443) { detector.main(Kit.message(flow)) }
        for flow in rejected(3, firstUID: 10, port: 8444) { detector.main(Kit.message(flow)) }
        for flow in rejected(1, firstUID: 20, start: 3590, port: 8443) { detector.main(Kit.message(flow)) }
        for flow in rejected(4, firstUID: 30, start: 3700, port: 8443) { detector.main(Kit.message(flow)) }
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).isEmpty)
        detector.main(Kit.message(rejected(1, firstUID: 40, start: 3800, port: 8443)[0]))
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).first?.timeWindow == Kit.window(2))
    }

    // MARK: UNKNOWN_PORT

    @Test func establishedConnectionToAnUnknownPort() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 4444)))
        let evidence = try #require(out.of(.UNKNOWN_PORT).first)
        #expect(out.evidence.count == 1)
        #expect(evidence.threatLevel == .medium)
        #expect(evidence.confidence == 1)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.20"))
        #expect(evidence.victim == Victim(direction: .DST, value: "198.51.100.7"))
        #expect(evidence.dstPort == 4444)
        #expect(evidence.srcPort == 45_000)
        #expect(evidence.proto == .tcp)
        #expect(evidence.uids == [FlowUID(1)])
        #expect(evidence.description.contains("4444/TCP is not a known service"))
    }

    @Test(arguments: [
        (UInt16(443), ConnState.SF, UInt16(45_000)),   // known service
        (4444, .S0, 45_000),                           // not established
        (4444, .REJ, 45_000),
        (4444, .OTH, 45_000),                          // midstream: direction unknown
        (50_000, .SF, 45_000),                         // dynamic range
        (4444, .SF, 443),                              // the reply side of a known service
        (0, .SF, 45_000),                              // port 0 is its own evidence
    ])
    func unknownPortIsNotReportedFor(port: UInt16, state: ConnState, sport: UInt16) throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: port, sport: sport, state: state)))
        #expect(out.of(.UNKNOWN_PORT).isEmpty)
    }

    @Test func unknownPortJustBelowTheDynamicRangeCounts() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 49_151)))
        #expect(out.of(.UNKNOWN_PORT).count == 1)
    }

    @Test func unknownPortReportedOncePerEndpointAndWindow() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        var flow = established(uid: 1, to: outside, port: 4444, reason: .interim)
        detector.main(Kit.message(flow))
        flow.reason = .expired
        detector.main(Kit.message(flow))
        for i in 0..<10 { detector.main(Kit.message(established(uid: 10 + UInt64(i), to: outside, port: 4444))) }
        #expect(out.of(.UNKNOWN_PORT).count == 1)
        detector.main(Kit.message(established(uid: 30, to: outside, port: 4445)))
        detector.main(Kit.message(established(uid: 31, to: Kit.ip("198.51.100.8"), port: 4444)))
        #expect(out.of(.UNKNOWN_PORT).count == 3)
        detector.main(Kit.message(established(uid: 32, to: outside, port: 4444, start: 3700)))
        #expect(out.of(.UNKNOWN_PORT).count == 4)
        #expect(out.of(.UNKNOWN_PORT).last?.timeWindow == Kit.window(2))
    }

    @Test func extraPortsFileSilencesUnknownPort() throws {
        let path = "/tmp/slipsd-flowalerts-ports-\(UInt32.random(in: 0...UInt32.max)).txt"
        try KnownServicesFile.write("inhouse-app   4444/tcp   # our own service\n", to: path)
        defer { KnownServicesFile.remove(path) }
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        #expect(!detector.knownPorts.contains(port: 4444, proto: .tcp))
        try detector.addKnownPorts(fromFile: path)
        #expect(detector.knownPorts.name(port: 4444, proto: .tcp) == "inhouse-app")
        detector.main(Kit.message(established(uid: 1, to: outside, port: 4444)))
        #expect(out.of(.UNKNOWN_PORT).isEmpty)
    }

    // MARK: state

    @Test func closedWindowsAndSweepsDropRuleState() throws {
        let (detector, _) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 4444)))
        detector.main(Kit.message(rejected(1, firstUID: 2)[0]))
        #expect(detector.windowStateCount > 0)
        detector.main(.twClosed(ProfileID(ip: host), Kit.window(1)))
        #expect(detector.windowStateCount == 0)
        detector.main(Kit.message(established(uid: 3, to: outside, port: 4444, start: 3700)))
        #expect(detector.windowStateCount > 0)
        detector.tick(now: Kit.at(3700))
        detector.tick(now: Kit.at(2 * 3600 + 301))
        #expect(detector.windowStateCount == 0)
    }
}
