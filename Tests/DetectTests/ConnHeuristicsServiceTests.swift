import Foundation
import NetCore
import Records
import Testing
@testable import Detect

private typealias Kit = DetectorsTestKit

/// NON_HTTP_PORT_80_CONNECTION and NON_SSL_PORT_443_CONNECTION: Slips' five-minute window around each flow, the
/// rule that an empty `service` only counts once the input showed it recognises the protocol, and
/// `attackerVerified` through the engine; `only_one_tw` with Slips' width.
@Suite("Conn heuristics: services, verification, only_one_tw")
struct ConnHeuristicsServiceTests {
    static let client = Kit.ip("10.0.0.5"), server = Kit.ip("203.0.113.80"), other = Kit.ip("203.0.113.81")

    /// An established flow with payload to `dport` of `dst`, `start` s after t0, with Zeek's `service`.
    static func web(_ uid: UInt64, dst: IPAddress = server, dport: UInt16, service: String = "", start: Double,
                    state: ConnState = .SF, bytes: UInt64 = 500) -> ChannelMessage {
        var flow = Kit.flow(uid: uid, src: client, dst: dst, dport: dport, state: state, start: start,
                            origPackets: 5, respPackets: 5, origBytes: bytes, respBytes: bytes)
        flow.service = service
        return Kit.message(flow)
    }

    @Test func nonHTTPOnPort80IsAPairOfEvidenceOnceTheWaitEnds() throws {
        let (detector, out) = try Kit.make(NonHTTPPort80Detector.self)
        try detector.main(Self.web(1, dst: Self.other, dport: 80, service: "http", start: 0))   // the input knows HTTP
        try detector.main(Self.web(2, dport: 80, start: 10))
        try detector.tick(now: Kit.at(200))
        #expect(out.evidence.isEmpty)                     // still inside the five minutes after it
        try detector.tick(now: Kit.at(311))
        #expect(out.evidence.count == 2)
        let source = try #require(out.evidence.first { $0.attacker.direction == .SRC })
        let destination = try #require(out.evidence.first { $0.attacker.direction == .DST })
        for evidence in [source, destination] {
            #expect(evidence.type == .NON_HTTP_PORT_80_CONNECTION && evidence.confidence == 0.8)
            #expect(evidence.description == "non-HTTP established connection to port 80. destination IP: 203.0.113.80")
            #expect(evidence.uids == [FlowUID(2)])
        }
        #expect(source.threatLevel == .low && source.attacker.value == "10.0.0.5")
        #expect(source.victim == Victim(direction: .DST, value: "203.0.113.80"))
        #expect(destination.threatLevel == .medium && destination.attacker.value == "203.0.113.80")
        #expect(destination.profile == ProfileID(ip: Self.server))
        #expect(destination.victim == Victim(direction: .SRC, value: "10.0.0.5"))
    }

    @Test func anHTTPFlowWithinFiveMinutesBeforeOrAfterClearsIt() throws {
        let (detector, out) = try Kit.make(NonHTTPPort80Detector.self)
        try detector.main(Self.web(1, dport: 80, service: "http", start: 0))
        try detector.main(Self.web(2, dport: 80, start: 250))          // 250 s after a recognised one
        try detector.main(Self.web(3, dport: 80, start: 1_000))
        try detector.main(Self.web(4, dport: 80, service: "http", start: 1_200))   // 200 s after flow 3
        try detector.main(Self.web(5, dport: 80, start: 2_000))        // nothing within 300 s
        try detector.shutdownGracefully()
        #expect(out.evidence.count == 2)
        #expect(out.evidence.allSatisfy { $0.uids == [FlowUID(5)] })
    }

    @Test func emptyServiceFromAnInputThatNeverRecognisesHTTPIsNoEvidence() throws {
        // Packets with no HTTP analyzer, Argus, nfdump: `service` is always empty, which proves nothing.
        let (detector, out) = try Kit.make(NonHTTPPort80Detector.self)
        for uid in 1...5 { try detector.main(Self.web(UInt64(uid), dport: 80, start: Double(uid))) }
        try detector.shutdownGracefully()
        #expect(out.evidence.isEmpty)
        #expect(detector.check.unprovenSkips == 5)
        // Slips' own rule, when asked for: an empty service is "not HTTP".
        var slips = NonHTTPPort80Detector.Settings()
        slips.requireRecognisingProducer = false
        let (literal, literalOut) = try Kit.make(NonHTTPPort80Detector.self, own: slips)
        try literal.main(Self.web(1, dport: 80, start: 1))
        try literal.shutdownGracefully()
        #expect(literalOut.evidence.count == 2)
    }

    @Test(arguments: [
        (ConnState.S0, UInt64(500), UInt16(80)),          // not established
        (.REJ, 500, 80),
        (.SF, 0, 80),                                     // no payload
        (.SF, 500, 8_080),                                // another port
    ])
    func notEligibleForNonHTTP(state: ConnState, bytes: UInt64, port: UInt16) throws {
        var own = NonHTTPPort80Detector.Settings()
        own.requireRecognisingProducer = false
        let (detector, out) = try Kit.make(NonHTTPPort80Detector.self, own: own)
        try detector.main(Self.web(1, dport: port, start: 0, state: state, bytes: bytes))
        try detector.shutdownGracefully()
        #expect(out.evidence.isEmpty)
    }

    @Test func nonSSLOn443IsMediumSourceEvidenceMatchedByPort() throws {
        let (detector, out) = try Kit.make(NonSSLPort443Detector.self)
        try detector.main(Self.web(1, dport: 443, service: "ssl", start: 0))
        try detector.main(Self.web(2, dport: 443, service: "", start: 100))    // cleared by flow 1
        try detector.main(Self.web(3, dst: Self.other, dport: 443, start: 120))   // nothing recognised to .81
        try detector.main(Self.web(4, dport: 443, service: "ssl,http", start: 5_000))
        try detector.main(Self.web(5, dport: 443, service: "http", start: 5_010))   // cleared: "ssl,http" nearby
        try detector.tick(now: Kit.at(10_000))
        let evidence = try #require(out.evidence.first)
        #expect(out.evidence.count == 1)
        #expect(evidence.type == .NON_SSL_PORT_443_CONNECTION)
        #expect(evidence.threatLevel == .medium && evidence.confidence == 0.8)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "10.0.0.5"))
        #expect(evidence.victim == Victim(direction: .DST, value: "203.0.113.81"))
        #expect(evidence.description == "non-SSL established connection to port 443. destination IP: 203.0.113.81")
        #expect(evidence.uids == [FlowUID(3)])
    }

    @Test func interimRecordsAreNotJudged() throws {
        var own = NonSSLPort443Detector.Settings()
        own.requireRecognisingProducer = false
        let (detector, out) = try Kit.make(NonSSLPort443Detector.self, own: own)
        var interim = Kit.flow(uid: 1, src: Self.client, dst: Self.server, dport: 443, state: .S1, start: 0,
                               origBytes: 10, respBytes: 10, reason: .interim)
        interim.service = ""
        try detector.main(Kit.message(interim))
        try detector.shutdownGracefully()
        #expect(out.evidence.isEmpty)
    }

    // MARK: attackerVerified through the engine

    /// A forged telnet SYN burst (no handshake) gives unverified evidence; a handshake-proven flow to two unknown
    /// ports gives verified evidence.
    @Test func verificationFollowsTheHandshakeOfTheFlowsBehindTheEvidence() throws {
        HeuristicsEvidenceRecorder.evidence = []
        var settings = DetectionSettings()
        settings.enabledModules = [HeuristicsEvidenceRecorder.name]
        let engine = DetectionEngine(settings: settings,
                                     detectorTypes: [TelnetReconnectionDetector.self, MultiplePortsConnectionDetector.self,
                                                     HeuristicsEvidenceRecorder.self])
        let forged = Kit.ip("198.51.100.66"), victim = Kit.ip("10.0.0.9")
        for uid in 1...4 {
            engine.consume(.record(.conn(Kit.flow(uid: UInt64(uid), src: forged, dst: victim, dport: 23, state: .S0,
                                                  start: Double(uid), handshake: false))))
        }
        let real = Kit.ip("10.0.0.5"), host = Kit.ip("203.0.113.9")
        engine.consume(.record(.conn(Kit.flow(uid: 10, src: real, dst: host, dport: 8_123, state: .SF, start: 5))))
        engine.consume(.record(.conn(Kit.flow(uid: 11, src: real, dst: host, dport: 9_321, state: .SF, start: 6))))
        engine.finish()
        let collected = HeuristicsEvidenceRecorder.evidence
        let telnet = try #require(collected.first { $0.type == .MULTIPLE_RECONNECTION_ATTEMPTS })
        #expect(!telnet.attackerVerified)
        let ports = try #require(collected.first { $0.type == .CONNECTION_TO_MULTIPLE_PORTS })
        #expect(ports.attackerVerified)
    }

    // MARK: only_one_tw

    @Test func onlyOneWindowHasSlipsWidthAndStartsACenturyEarly() {
        var clock = TimeWindowClock(widthSeconds: 3_600, onlyOneWindow: true)
        let first = Kit.at(0)
        let window = clock.window(for: first)
        #expect(window.number == 1)
        #expect(window.start == first.adding(microseconds: -100 * 31_536_000 * 1_000_000))
        #expect(clock.window(for: Kit.at(-50_000)).number == 1)   // older than the first record: still window 1
        var settings = DetectionSettings()
        settings.onlyOneTimeWindow = true
        #expect(settings.effectiveWindowWidth == 9_999_999_999)
        #expect(abs(settings.alertThreshold - 0.25 * 9_999_999_999 / 60) < 1e-3)
        settings.onlyOneTimeWindow = false
        #expect(settings.alertThreshold == 15)
    }
}

/// Records the evidence the engine publishes (only the verification test uses it).
final class HeuristicsEvidenceRecorder: Detector {
    static let name = "heuristics_evidence_recorder"
    static let description = "test"
    static let authors = ["tests"]
    static let enabledByDefault = false
    nonisolated(unsafe) static var evidence: [Evidence] = []
    init(context: DetectorContext) throws { context.subscribe(.evidenceAdded) }
    func main(_ message: ChannelMessage) throws {
        if case .evidenceAdded(let evidence) = message { Self.evidence.append(evidence) }
    }
}
