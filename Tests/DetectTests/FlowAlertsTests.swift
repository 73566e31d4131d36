import NetCore
import Records
@testable import Detect
import Testing

@Suite("FlowAlertsDetector")
struct FlowAlertsTests {
    typealias Kit = DetectorsTestKit
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
        #expect(evidence.confidence == 0.02)              // Slips: 1500.5 / 86400, two decimals
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.20"))
        #expect(evidence.victim == Victim(direction: .DST, value: "198.51.100.7"))
        #expect(evidence.srcPort == 45_000)
        #expect(evidence.dstPort == 443)
        #expect(evidence.proto == .tcp)
        #expect(evidence.uids == [FlowUID(1)])
        #expect(evidence.timeWindow == Kit.window(1))
        #expect(evidence.profile == ProfileID(ip: host))
        #expect(evidence.description == "Long Connection. Connection from 192.168.1.20 to destination address: "
                + "198.51.100.7 took 25 mins")
    }

    @Test(arguments: [(1501.0, 0.02), (43_200, 0.5), (64_800, 0.75), (86_400, 1.0), (200_000, 1.0)])
    func longConnectionConfidenceGrowsWithTheDuration(duration: Double, confidence: Double) {
        #expect(FlowAlertsDetector.LongConnection.confidence(duration: duration) == confidence)
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
        #expect(out.of(.LONG_CONNECTION).first?.description.hasSuffix("took 26 mins") == true)   // 1600 s
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

    /// Slips' MB: 10^6 bytes.
    static let mb: UInt64 = 1_000_000

    @Test func uploadOfExactly100MBInOneFlowIsSlipsPairOfEvidence() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 443, bytes: 100 * Self.mb)))
        let pair = out.of(.DATA_UPLOAD)
        #expect(out.evidence.count == 2)
        let source = try #require(pair.first)
        let destination = try #require(pair.last)
        // The source as attacker: info, so it never adds to the uploader's alert.
        #expect(source.threatLevel == .info)
        #expect(source.confidence == 0.6)
        #expect(source.attacker == Attacker(direction: .SRC, value: "192.168.1.20"))
        #expect(source.profile == ProfileID(ip: host))
        // The destination as attacker (DST), in the destination's profile: high, yet never counted (not SRC).
        #expect(destination.threatLevel == .high)
        #expect(destination.confidence == 0.6)
        #expect(destination.attacker == Attacker(direction: .DST, value: "198.51.100.7"))
        #expect(destination.victim == Victim(direction: .SRC, value: "192.168.1.20"))
        #expect(destination.profile == ProfileID(ip: outside))
        for evidence in pair {
            #expect(evidence.dstPort == 443)
            #expect(evidence.uids == [FlowUID(1)])
            #expect(evidence.timeWindow == Kit.window(1))
            #expect(evidence.description == "Large data upload. 100.0 MBs sent to 198.51.100.7")
        }
    }

    @Test func aDataUploadNeverAddsToAnAlert() throws {
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60                                       // threshold 0.25
        let engine = DetectionEngine(settings: settings, detectorTypes: [FlowAlertsDetector.self])
        var alerts = 0
        engine.onAlert = { _ in alerts += 1 }
        for i in 0..<20 {
            engine.consume(.record(.conn(established(uid: UInt64(i + 1), to: outside, port: 443, start: 1,
                                                     bytes: 900 * Self.mb))))
        }
        engine.finish()
        #expect(engine.evidenceHandler.evidenceCount >= 40)
        #expect(alerts == 0)
        #expect(engine.evidenceHandler.accumulated(profile: ProfileID(ip: host), window: 1) == 0)
        #expect(engine.evidenceHandler.accumulated(profile: ProfileID(ip: outside), window: 1) == 0)
    }

    @Test func uploadsFromFlowFilesCountWhenTheirHistoryShowsTheHandshake() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        var zeek = established(uid: 1, to: outside, port: 443, bytes: 150 * Self.mb)
        zeek.handshake = false                              // as every record read from a file
        zeek.history = "ShADadFf"
        detector.main(Kit.message(zeek))
        #expect(out.of(.DATA_UPLOAD).count == 2)
        var argus = zeek
        argus.uid = FlowUID(2)
        argus.history = ""                                  // Argus and Suricata give no history
        detector.main(Kit.message(argus))
        #expect(out.of(.DATA_UPLOAD).count == 4)
        var unproven = zeek
        unproven.uid = FlowUID(3)
        unproven.history = "SAD"                            // no SYN-ACK: nothing shows a handshake
        detector.main(Kit.message(unproven))
        #expect(out.of(.DATA_UPLOAD).count == 4)
    }

    @Test func uploadOneByteBelow100MBIsNot() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 443, bytes: 100 * Self.mb - 1)))
        #expect(out.evidence.isEmpty)
    }

    @Test func uploadsToPrivateDestinationsAreNotCounted() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: Kit.ip("192.168.1.5"), port: 445, bytes: 900 * Self.mb)))
        detector.main(Kit.message(established(uid: 2, to: Kit.ip("fd00::5"), port: 445, bytes: 900 * Self.mb)))
        #expect(out.evidence.isEmpty)
    }

    @Test func uploadFlowReportedOncePerFlow() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        var flow = established(uid: 1, to: outside, port: 443, bytes: 150 * Self.mb, reason: .interim)
        detector.main(Kit.message(flow))
        flow.originatorIPBytes = 200 * Self.mb
        detector.main(Kit.message(flow))
        flow.reason = .expired
        detector.main(Kit.message(flow))
        #expect(out.of(.DATA_UPLOAD).count == 2)                // one pair for the flow
        // Another large flow to the same destination: its own pair (Slips judges each flow).
        detector.main(Kit.message(established(uid: 2, to: outside, port: 443, start: 20, bytes: 120 * Self.mb)))
        #expect(out.of(.DATA_UPLOAD).count == 4)
        #expect(out.of(.DATA_UPLOAD).last?.description == "Large data upload. 120.0 MBs sent to 198.51.100.7")
    }

    @Test func windowSumPerDestinationReachesExactly500MB() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        // Ten flows of 50 MB to ten destinations: none is large, and no destination got 500 MB.
        for i in 0..<10 {
            detector.main(Kit.message(established(uid: UInt64(i + 1), to: Kit.ip("198.51.100.0", plus: i),
                                                  port: 443, start: 10 + Double(i), bytes: 50 * Self.mb)))
        }
        #expect(out.evidence.isEmpty)
        // Ten flows to one destination: one byte short, then the byte.
        for i in 0..<9 {
            detector.main(Kit.message(established(uid: UInt64(i + 20), to: Kit.ip("198.51.100.50"), port: 443,
                                                  start: 30 + Double(i), bytes: 50 * Self.mb)))
        }
        detector.main(Kit.message(established(uid: 29, to: Kit.ip("198.51.100.50"), port: 443, start: 40,
                                              bytes: 50 * Self.mb - 1)))
        #expect(out.evidence.isEmpty)
        detector.main(Kit.message(established(uid: 30, to: Kit.ip("198.51.100.50"), port: 443, start: 41, bytes: 1)))
        let pair = out.of(.DATA_UPLOAD)
        #expect(pair.count == 2)
        #expect(pair.first?.description == "Large data upload. 500.0 MBs sent to 198.51.100.50")
        #expect(pair.first?.uids.count == 11)
        #expect(pair.map(\.attacker.direction) == [.SRC, .DST])
        // Once per window and destination.
        detector.main(Kit.message(established(uid: 31, to: Kit.ip("198.51.100.50"), port: 443, start: 42,
                                              bytes: 90 * Self.mb)))
        #expect(out.evidence.count == 2)
    }

    @Test func windowSumCountsEachFlowOnceAcrossInterimRecords() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        var flow = established(uid: 1, to: outside, port: 443, bytes: 60 * Self.mb, reason: .interim)
        detector.main(Kit.message(flow))
        flow.originatorIPBytes = 80 * Self.mb
        detector.main(Kit.message(flow))
        flow.originatorIPBytes = 99 * Self.mb
        flow.reason = .expired
        detector.main(Kit.message(flow))               // 99 MB in all, not 239
        for i in 0..<4 {
            detector.main(Kit.message(established(uid: UInt64(10 + i), to: outside, port: 443, start: 20,
                                                  bytes: 99 * Self.mb)))
        }
        #expect(out.evidence.isEmpty)                  // 495 MB
        detector.main(Kit.message(established(uid: 20, to: outside, port: 443, start: 30, bytes: 5 * Self.mb)))
        #expect(out.of(.DATA_UPLOAD).count == 2)       // 500 MB: one pair
    }

    @Test func windowSumStartsFromZeroInANewWindow() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        for i in 0..<5 {
            detector.main(Kit.message(established(uid: UInt64(i + 1), to: outside, port: 443, start: 3000,
                                                  bytes: 90 * Self.mb)))
        }
        for i in 0..<5 {
            detector.main(Kit.message(established(uid: UInt64(i + 10), to: outside, port: 443, start: 3700,
                                                  bytes: 90 * Self.mb)))
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
        // Slips blames the side whose port is 0: the source (SRC) for source port 0, else the destination (DST).
        if sport == 0 {
            #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.20"))
            #expect(evidence.victim == Victim(direction: .DST, value: "198.51.100.7"))
        } else {
            #expect(evidence.attacker == Attacker(direction: .DST, value: "198.51.100.7"))
            #expect(evidence.victim == Victim(direction: .SRC, value: "192.168.1.20"))
        }
        #expect(evidence.profile == ProfileID(ip: host))
        #expect(evidence.description == "Connection on port 0 from 192.168.1.20:\(sport) to 198.51.100.7:\(dport).")
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
        #expect(evidence.description == "Multiple reconnection attempts from IP: 192.168.1.20 to destination IP: "
                + "198.51.100.7 reconnections: 5.")
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
        // Slips resets the count after each report: every report says 5.
        #expect(out.of(.MULTIPLE_RECONNECTION_ATTEMPTS).allSatisfy { $0.description.hasSuffix("reconnections: 5.") })
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
        #expect(evidence.threatLevel == .high)             // established
        #expect(evidence.confidence == 1)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.20"))
        #expect(evidence.victim == Victim(direction: .DST, value: "198.51.100.7"))
        #expect(evidence.dstPort == 4444)
        #expect(evidence.srcPort == 45_000)
        #expect(evidence.proto == .tcp)
        #expect(evidence.uids == [FlowUID(1)])
        #expect(evidence.description == "Connection to unknown destination port 4444/TCP destination IP 198.51.100.7.")
    }

    @Test(arguments: [(ConnState.S0, ThreatLevel.medium), (.REJ, .medium), (.SH, .medium), (.RSTO, .high),
                      (.S1, .high)])
    func unknownPortInAnyStateHighOnlyWhenEstablished(state: ConnState, level: ThreatLevel) throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 4444, state: state)))
        #expect(out.of(.UNKNOWN_PORT).map(\.threatLevel) == [level])
    }

    @Test func midstreamOrUnprovenEstablishedTCPIsSkippedUnlessAFileGaveNoHistory() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        // OTH with a history but no handshake (midstream: the direction is a guess), SF without S and h.
        detector.main(Kit.message(established(uid: 1, to: outside, port: 4444, state: .OTH)))
        var unproven = established(uid: 2, to: outside, port: 4445)
        unproven.handshake = false
        detector.main(Kit.message(unproven))
        #expect(out.of(.UNKNOWN_PORT).isEmpty)
        // A Zeek history with the handshake letters, or a file record with no history: taken as established.
        var zeek = unproven
        zeek.uid = FlowUID(3)
        zeek.history = "ShADadFf"
        detector.main(Kit.message(zeek))
        var argus = unproven
        argus.uid = FlowUID(4)
        argus.history = ""
        detector.main(Kit.message(argus))
        #expect(out.of(.UNKNOWN_PORT).map(\.threatLevel) == [.high, .high])
    }

    @Test func udpToAnUnknownPortCountsAndAnswersMakeItEstablished() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(Kit.flow(uid: 1, src: host, dst: outside, dport: 9999, proto: .udp, state: .OTH)))
        detector.main(Kit.message(Kit.flow(uid: 2, src: host, dst: outside, dport: 9998, proto: .udp, state: .OTH,
                                           respPackets: 1)))
        detector.main(Kit.message(Kit.flow(uid: 3, src: host, dst: outside, dport: 53, proto: .udp, state: .OTH)))
        #expect(out.of(.UNKNOWN_PORT).map(\.threatLevel) == [.medium, .high])
        #expect(out.of(.UNKNOWN_PORT).first?.description == "Connection to unknown destination port 9999/UDP "
                + "destination IP 198.51.100.7.")
    }

    @Test(arguments: [
        (UInt16(443), ConnState.SF, UInt16(45_000)),   // known service
        (3306, .SF, 45_000),                           // known in Slips' list too
        (4444, .SF, 443),                              // the reply side of a known service
        (0, .SF, 45_000),                              // port 0 is its own evidence
    ])
    func unknownPortIsNotReportedFor(port: UInt16, state: ConnState, sport: UInt16) throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: port, sport: sport, state: state)))
        #expect(out.of(.UNKNOWN_PORT).isEmpty)
    }

    @Test(arguments: [UInt16(902), 5432, 49_151, 50_000])
    func portsSlipsDoesNotKnowAreUnknown(port: UInt16) throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: port)))
        #expect(out.of(.UNKNOWN_PORT).count == 1)
    }

    @Test func unknownPortReportedPerFlow() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        var flow = established(uid: 1, to: outside, port: 4444, reason: .interim)
        detector.main(Kit.message(flow))
        flow.reason = .expired
        detector.main(Kit.message(flow))
        #expect(out.of(.UNKNOWN_PORT).count == 1)          // interim and final records: one flow
        for i in 0..<5 { detector.main(Kit.message(established(uid: 10 + UInt64(i), to: outside, port: 4444))) }
        #expect(out.of(.UNKNOWN_PORT).count == 6)
        detector.main(Kit.message(established(uid: 32, to: outside, port: 4444, start: 3700)))
        #expect(out.of(.UNKNOWN_PORT).last?.timeWindow == Kit.window(2))
    }

    @Test func aPortScannerMakesNoMoreUnknownPortEvidence() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        // Not-established flows to 40 unknown ports: the first nine are reported, then the source is a scanner.
        for i in 0..<40 {
            detector.main(Kit.message(established(uid: UInt64(i + 1), to: outside, port: 20_000 + UInt16(i),
                                                  state: .S0)))
        }
        #expect(out.of(.UNKNOWN_PORT).count == 9)
        detector.main(Kit.message(established(uid: 100, to: outside, port: 4444)))
        #expect(out.of(.UNKNOWN_PORT).count == 9)          // established too, in this window
        detector.main(Kit.message(established(uid: 101, to: outside, port: 4444, start: 3700)))
        #expect(out.of(.UNKNOWN_PORT).count == 10)         // a new window starts afresh
    }

    @Test func notEstablishedFlowsAreJudgedOnTheirFinalRecord() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        var probe = established(uid: 1, to: outside, port: 4444, state: .S0, reason: .interim)
        detector.main(Kit.message(probe))
        #expect(out.of(.UNKNOWN_PORT).isEmpty)             // an unanswered SYN, still live
        probe.reason = .expired
        detector.main(Kit.message(probe))
        #expect(out.of(.UNKNOWN_PORT).map(\.threatLevel) == [.medium])
    }

    @Test func aLiveScanIsKnownAsAScanBeforeItsProbesEnd() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        // 30 SYNs published as interim records within seconds, their final records after the timeout.
        let probes = (0..<30).map { established(uid: UInt64($0 + 1), to: outside, port: 20_000 + UInt16($0),
                                                state: .S0, reason: .interim) }
        for probe in probes { detector.main(Kit.message(probe)) }
        for var probe in probes {
            probe.reason = .expired
            detector.main(Kit.message(probe))
        }
        #expect(out.of(.UNKNOWN_PORT).isEmpty)
    }

    @Test func aFloodOfForgedSourcesDoesNotHideARealHostsUnknownPort() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        // 200,000 SYNs from distinct forged sources to a known port: one window state each, past the budget.
        for i in 0..<200_000 {
            let source = IPAddress(ipv4: 0x6400_0000 | UInt32(i))
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 1), src: source, dst: outside, dport: 443, start: 1)))
        }
        #expect(out.of(.UNKNOWN_PORT).isEmpty)
        detector.main(Kit.message(established(uid: 999_999, to: outside, port: 4444, start: 2)))
        #expect(out.of(.UNKNOWN_PORT).map(\.attacker.value) == ["192.168.1.20"])
    }

    @Test func p2pLikeUDPIsSkippedAsSlipsDoes() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        // UDP above 30000 to five destinations: the fifth destination makes it P2P.
        for i in 0..<6 {
            detector.main(Kit.message(Kit.flow(uid: UInt64(i + 1), src: host, dst: Kit.ip("198.51.100.10", plus: i),
                                               dport: 40_000 + UInt16(i), proto: .udp, state: .OTH, start: 1,
                                               respPackets: 1)))
        }
        #expect(out.of(.UNKNOWN_PORT).count == 4)
        // Below 30000 the rule does not apply.
        detector.main(Kit.message(Kit.flow(uid: 50, src: host, dst: outside, dport: 29_999, proto: .udp, state: .OTH,
                                           start: 2, respPackets: 1)))
        #expect(out.of(.UNKNOWN_PORT).count == 5)
    }

    @Test func ftpDataConnectionsAreSkipped() throws {
        let (detector, out) = try Kit.make(FlowAlertsDetector.self)
        detector.main(Kit.message(established(uid: 1, to: outside, port: 21)))
        detector.main(Kit.message(established(uid: 2, to: outside, port: 50_123)))    // passive FTP data
        detector.main(Kit.message(established(uid: 3, to: Kit.ip("198.51.100.8"), port: 50_123)))
        #expect(out.of(.UNKNOWN_PORT).map(\.uids) == [[FlowUID(3)]])
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
