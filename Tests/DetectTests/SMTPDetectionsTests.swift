import NetCore
import Records
import Testing
@testable import Detect

private typealias Kit = DetectorsTestKit

/// Slips' SMTP analyzer: bad logins and the 3-in-10-s brute force, from smtp.log records.
@Suite("SMTP detections")
struct SMTPDetectionsTests {
    let client = Kit.ip("10.0.0.7")
    let server = Kit.ip("192.0.2.25")
    let bad = "535 5.7.8 Error: authentication failed: bad smtp-auth user"

    @Test func badLoginIsHighWithSlipsWords() throws {
        let (detector, out) = try Kit.make(SMTPLoginDetector.self)
        try detector.main(Kit.smtp(uid: 1, at: 1, client: client, server: server, lastReply: bad))
        try detector.main(Kit.smtp(uid: 2, at: 2, client: client, server: server, lastReply: "235 2.7.0 Authentication successful"))
        try detector.main(Kit.smtp(uid: 3, at: 3, client: client, server: server, lastReply: "250 2.0.0 Ok"))
        let evidence = try #require(out.evidence.only)
        #expect(evidence.type == .BAD_SMTP_LOGIN)
        #expect(evidence.description == "doing bad SMTP login to 192.0.2.25 ")
        #expect(evidence.threatLevel == .high && evidence.confidence == 1)
        #expect(evidence.attacker.direction == .SRC && evidence.attacker.value == "10.0.0.7")
        #expect(evidence.victim?.direction == .DST && evidence.victim?.value == "192.0.2.25")
        #expect(evidence.profile.ip == client && evidence.uids == [FlowUID(1)] && evidence.dstPort == 25)
    }

    @Test func threeBadLoginsWithinTenSecondsAreABruteForce() throws {
        let (detector, out) = try Kit.make(SMTPLoginDetector.self)
        for (uid, time) in [(1, 100.0), (2, 104.0), (3, 110.0)] {
            try detector.main(Kit.smtp(uid: UInt64(uid), at: time, client: client, server: server, lastReply: bad))
        }
        #expect(out.of(.BAD_SMTP_LOGIN).count == 3)
        let brute = try #require(out.of(.SMTP_LOGIN_BRUTEFORCE).only)
        #expect(brute.description == "doing SMTP login bruteforce to 192.0.2.25. 3 logins in 10 seconds. ")
        #expect(brute.threatLevel == .high && brute.confidence == 1)
        #expect(brute.attacker.direction == .SRC && brute.attacker.value == "10.0.0.7" && brute.victim?.value == "192.0.2.25")
        #expect(brute.uids == [FlowUID(1), FlowUID(2), FlowUID(3)])
        #expect(detector.trackedClients == 0)
    }

    @Test func threeBadLoginsSpanningMoreThanTenSecondsAreNot() throws {
        let (detector, out) = try Kit.make(SMTPLoginDetector.self)
        for (uid, time) in [(1, 100.0), (2, 104.0), (3, 110.5)] {
            try detector.main(Kit.smtp(uid: UInt64(uid), at: time, client: client, server: server, lastReply: bad))
        }
        #expect(out.of(.SMTP_LOGIN_BRUTEFORCE).isEmpty)
        // The oldest one drops out: the next bad login within 10 s of the second makes a brute force.
        try detector.main(Kit.smtp(uid: 4, at: 111, client: client, server: server, lastReply: bad))
        #expect(out.of(.SMTP_LOGIN_BRUTEFORCE).only?.uids == [FlowUID(2), FlowUID(3), FlowUID(4)])
    }

    @Test func twoBadLoginsAreNotAndTheCountStartsAgainAfterEvidence() throws {
        let (detector, out) = try Kit.make(SMTPLoginDetector.self)
        for uid in 1...2 {
            try detector.main(Kit.smtp(uid: UInt64(uid), at: Double(uid), client: client, server: server, lastReply: bad))
        }
        #expect(out.of(.SMTP_LOGIN_BRUTEFORCE).isEmpty)
        for uid in 3...6 {
            try detector.main(Kit.smtp(uid: UInt64(uid), at: Double(uid), client: client, server: server, lastReply: bad))
        }
        // 1, 2, 3 make the first; 4, 5 are not enough; 6 makes the second.
        #expect(out.of(.SMTP_LOGIN_BRUTEFORCE).map(\.uids) == [[1, 2, 3].map(FlowUID.init), [4, 5, 6].map(FlowUID.init)])
    }

    @Test func clientsPastTheBudgetStillGetBadLoginsAndOldClientsAreSwept() throws {
        var settings = SMTPLoginDetector.Settings()
        settings.maxTrackedClients = 2
        let (detector, out) = try Kit.make(SMTPLoginDetector.self, own: settings)
        for index in 0..<3 {
            try detector.main(Kit.smtp(uid: UInt64(index), at: 1, client: Kit.ip("10.9.0.0", plus: index), server: server,
                                       lastReply: bad))
        }
        #expect(out.of(.BAD_SMTP_LOGIN).count == 3)
        #expect(detector.trackedClients == 2 && detector.budget.refused == 1)
        try detector.tick(now: Kit.at(5))     // starts the once-a-minute sweep schedule
        try detector.tick(now: Kit.at(10))    // not due yet: the clients stay
        #expect(detector.trackedClients == 2)
        try detector.tick(now: Kit.at(100))
        #expect(detector.trackedClients == 0 && detector.budget.used == 0)
    }

    @Test func boundedUnderAFloodOfDistinctClients() throws {
        let (detector, out) = try Kit.make(SMTPLoginDetector.self)
        for index in 0..<100_000 {
            try detector.main(Kit.smtp(uid: UInt64(index), at: 1, client: Kit.ip("10.0.0.0", plus: index), server: server,
                                       lastReply: bad))
        }
        #expect(out.of(.BAD_SMTP_LOGIN).count == 100_000)
        #expect(detector.trackedClients == 65_536 && detector.budget.refused == 100_000 - 65_536)
    }

    @Test func badThresholdIsASettingsError() {
        #expect(throws: SettingsError.self) {
            try SettingsDecoder.decode(SMTPLoginDetector.Settings.self,
                                       from: .section(["smtp_bruteforce_threshold": .plain("1")]), path: "smtp_analyzer")
        }
        #expect((try? SettingsDecoder.decode(SMTPLoginDetector.Settings.self,
                                             from: .section(["smtp_bruteforce_seconds": .plain("5")]),
                                             path: "smtp_analyzer"))?.seconds == 5)
    }
}

extension Array {
    /// The single element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
