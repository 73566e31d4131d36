import NetCore
import Records
import Testing
@testable import Detect

private typealias Kit = DetectorsTestKit

@Suite("TemplateDetector")
struct TemplateDetectorTests {
    let client = Kit.ip("10.0.0.5")
    let server = Kit.ip("203.0.113.7")

    func flow(uid: UInt64, start: Double = 10, port: UInt16 = 31337,
              reason: ConnRecord.Reason = .expired) -> ConnRecord {
        Kit.flow(uid: uid, src: client, dst: server, dport: port, state: .SF, start: start, reason: reason)
    }

    @Test func reportsEachFlowOnce() throws {
        let (detector, out) = try Kit.make(TemplateDetector.self)
        try detector.main(Kit.message(flow(uid: 1, reason: .interim)))
        try detector.main(Kit.message(flow(uid: 1)))                       // its final record
        try detector.main(Kit.message(flow(uid: 2, port: 80)))             // another port
        #expect(out.evidence.count == 1)
        #expect(out.evidence.first?.uids == [FlowUID(1)])
    }

    /// The bug the template used to teach: it cleared one global uid set on every `tw_closed`, so the final
    /// record of a flow arriving after its window closed was reported a second time.
    @Test func aLateFlowAfterTwClosedIsNotReportedTwice() throws {
        let (detector, out) = try Kit.make(TemplateDetector.self)
        try detector.main(Kit.message(flow(uid: 1, start: 3590, reason: .interim)))
        #expect(out.evidence.count == 1)
        try detector.main(.twClosed(ProfileID(ip: client), Kit.window(1)))
        #expect(detector.windows.windows.stateCount == 0)
        #expect(detector.windows.budget.used == 0)
        try detector.main(Kit.message(flow(uid: 1, start: 3590)))            // the late final record, window 1
        #expect(out.evidence.count == 1)
        #expect(detector.windows.windows.ignoredLateRecords == 1)
        try detector.main(Kit.message(flow(uid: 2, start: 3610)))            // a new flow in window 2
        #expect(out.evidence.count == 2)
        #expect(out.evidence.last?.timeWindow == Kit.window(2))
    }

    @Test func portComesFromItsSection() throws {
        let settings = try SettingsDecoder.decode(TemplateDetector.Settings.self,
                                                  from: .section(["port": .plain("8080")]), path: "template")
        let (detector, out) = try Kit.make(TemplateDetector.self, own: settings)
        try detector.main(Kit.message(flow(uid: 1)))
        try detector.main(Kit.message(flow(uid: 2, port: 8080)))
        #expect(out.evidence.map(\.uids) == [[FlowUID(2)]])
    }

    @Test func memoryIsReturnedBySweep() throws {
        let (detector, _) = try Kit.make(TemplateDetector.self)
        try detector.main(Kit.message(flow(uid: 1)))
        #expect(detector.windows.budget.used == 2)                          // the window and one uid
        try detector.tick(now: Kit.at(100))
        try detector.tick(now: Kit.at(3600 + 301))
        #expect(detector.windows.budget.used == 0)
    }
}
