import NetCore
import Records
@testable import Detect
import Testing

@Suite("SSHPasswordGuessingDetector")
struct SSHPasswordGuessingTests {
    typealias Kit = DetectorsTestKit
    let client = Kit.ip("203.0.113.9")
    let server = Kit.ip("192.168.1.10")

    /// Server banners of `count` connections to `port`, one every 2 s.
    func banners(_ count: Int, port: UInt16 = 2222, firstUID: UInt64 = 1, start: Double = 10,
                 to target: IPAddress? = nil) -> [ChannelMessage] {
        (0..<count).map { i in
            Kit.ssh(uid: firstUID + UInt64(i), at: start + 2 * Double(i), client: client, server: target ?? server,
                    port: port)
        }
    }

    /// The TCP flow of an SSH connection.
    func connection(uid: UInt64, port: UInt16, start: Double = 10, reason: ConnRecord.Reason = .expired) -> ConnRecord {
        Kit.flow(uid: uid, src: client, sport: 50_000, dst: server, dport: port, state: .SF, start: start,
                 duration: 3, origPackets: 20, respPackets: 18, origBytes: 2_000, respBytes: 3_000, reason: reason)
    }

    @Test func nineConnectionsOnPort2222AreGuessingWithEveryField() throws {
        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self)
        for message in banners(9) { detector.main(message) }
        let evidence = try #require(out.evidence.first)
        #expect(out.evidence.count == 1)
        #expect(evidence.type == .PASSWORD_GUESSING)
        #expect(evidence.threatLevel == .medium)          // Slips' brute_force_detector
        #expect(evidence.confidence == 0.5)               // 9 attempts, no client banner seen
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "203.0.113.9"))
        #expect(evidence.victim == Victim(direction: .DST, value: "192.168.1.10"))
        #expect(evidence.dstPort == 2222)
        #expect(evidence.proto == .tcp)
        #expect(evidence.uids == (1...9).map { FlowUID($0) })
        #expect(evidence.profile == ProfileID(ip: client))
        #expect(evidence.timeWindow == Kit.window(1))
        #expect(evidence.timestamp == Kit.at(10 + 2 * 8))
        #expect(evidence.description == "SSH brute force detector from 203.0.113.9 to 192.168.1.10 on 2222/tcp. "
                + "Attempts observed: 9. Confidence: 0.5. by Slips")
    }

    @Test func eightConnectionsAreNotEnough() throws {
        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self)
        for message in banners(8) { detector.main(message) }
        #expect(out.evidence.isEmpty)
    }

    @Test func port22FlowsWithoutBannerDoNotCountWhileBannersOnAnyPortDo() throws {
        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self)
        // Twenty port-22 connections without any SSH banner (e.g. something else listening on 22).
        for i in 0..<20 { detector.main(Kit.message(connection(uid: 100 + UInt64(i), port: 22))) }
        #expect(out.evidence.isEmpty)
        // Nine connections whose banner was seen on 2222.
        for message in banners(9) { detector.main(message) }
        #expect(out.evidence.map(\.dstPort) == [2222])
    }

    @Test func bothBannersOfOneConnectionCountOnce() throws {
        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self)
        for i in 0..<8 {
            let uid = UInt64(i + 1)
            detector.main(Kit.ssh(uid: uid, at: Double(i), client: client, server: server, port: 2222, fromServer: false))
            detector.main(Kit.ssh(uid: uid, at: Double(i), client: client, server: server, port: 2222, fromServer: true))
        }
        #expect(out.evidence.isEmpty)
        detector.main(Kit.ssh(uid: 9, at: 9, client: client, server: server, port: 2222, fromServer: false))
        #expect(out.evidence.count == 1)
        #expect(out.evidence.first?.uids.count == 9)
        // The client banner (libssh) is named and adds Slips' automation bonus: 0.5 + 0.07.
        #expect(out.evidence.first?.confidence == 0.57)
        #expect(out.evidence.first?.description.contains("Client banner: SSH-2.0-libssh_0.10.4 from ssh.log.") == true)
    }

    @Test func flowRecordsBeforeOrAfterTheBannerDoNotChangeTheCount() throws {
        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self)
        for i in 0..<8 {
            let uid = UInt64(i + 1)
            let interim = connection(uid: uid, port: 2222, start: Double(i), reason: .interim)
            let final = connection(uid: uid, port: 2222, start: Double(i))
            let banner = Kit.ssh(uid: uid, at: Double(i), client: client, server: server, port: 2222)
            // Half the connections publish their flow records first, half their banner first.
            let order: [ChannelMessage] = i % 2 == 0
                ? [Kit.message(interim), Kit.message(final), banner]
                : [banner, Kit.message(interim), Kit.message(final)]
            for message in order { detector.main(message) }
        }
        #expect(out.evidence.isEmpty)
        detector.main(Kit.message(connection(uid: 9, port: 2222, start: 9)))
        detector.main(Kit.ssh(uid: 9, at: 9, client: client, server: server, port: 2222))
        #expect(out.evidence.count == 1)
    }

    /// Slips' log2 buckets: reports at 9, 10, 12, 16, 24, 40 attempts.
    @Test(arguments: [(9, 1), (10, 2), (11, 2), (12, 3), (15, 3), (16, 4), (23, 4), (24, 5), (39, 5), (40, 6)])
    func reportedAtSlipsBuckets(connections: Int, reports: Int) throws {
        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self)
        for message in banners(connections) { detector.main(message) }
        #expect(out.evidence.count == reports)
        let levels = [9, 10, 12, 16, 24, 40]
        for (n, evidence) in out.evidence.enumerated() {
            #expect(evidence.description.contains("Attempts observed: \(levels[n])."))
            // The most recent connections, at most 32, ending with the one that reached the level.
            let last = UInt64(levels[n])
            #expect(evidence.uids.last == FlowUID(last))
            #expect(evidence.uids.count == min(levels[n], 32))
            #expect(evidence.confidence == SSHPasswordGuessingDetector.confidence(attempts: levels[n], threshold: 9,
                                                                                  banner: nil))
        }
    }

    @Test(arguments: [(9, nil as String?, 0.5), (16, nil, 0.63), (29, nil, 0.88), (30, nil, 1.0), (9, "SSH-2.0-paramiko_3.4", 0.57),
                      (9, "SSH-2.0-OpenSSH_9.6", 0.52), (29, "SSH-2.0-libssh2_1.11", 0.95), (9, "SSH-2.0-Go", 0.5)])
    func slipsConfidence(attempts: Int, banner: String?, confidence: Double) {
        #expect(SSHPasswordGuessingDetector.confidence(attempts: attempts, threshold: 9, banner: banner) == confidence)
    }

    @Test(arguments: [(8, -1), (9, 0), (10, 1), (11, 1), (12, 2), (16, 3), (24, 4), (40, 5), (72, 6)])
    func slipsReportingBucket(attempts: Int, bucket: Int) {
        #expect(SSHPasswordGuessingDetector.reportingBucket(attempts: attempts, threshold: 9) == bucket)
    }

    @Test func serversAndPortsAreCountedApart() throws {
        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self)
        for message in banners(5, port: 22) { detector.main(message) }
        for message in banners(4, port: 2222, firstUID: 100) { detector.main(message) }
        for message in banners(8, port: 22, firstUID: 200, to: Kit.ip("192.168.1.11")) { detector.main(message) }
        #expect(out.evidence.isEmpty)
    }

    @Test func aNewWindowStartsFromZeroAndClosedWindowsAreForgotten() throws {
        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self)
        for message in banners(5, start: 3580) { detector.main(message) }   // 3580…3588: window 1
        for message in banners(4, firstUID: 100, start: 3602) { detector.main(message) }  // window 2
        #expect(out.evidence.isEmpty)
        detector.main(.twClosed(ProfileID(ip: client), Kit.window(1)))
        #expect(detector.windows.stateCount == 1)
        for message in banners(5, firstUID: 200, start: 3700) { detector.main(message) }
        #expect(out.evidence.count == 1)
        #expect(out.evidence.first?.timeWindow == Kit.window(2))
        #expect(detector.budget.used == 2)                          // the window and one server
    }

    @Test func thresholdComesFromTheSettings() throws {
        let (detector, out) = try Kit.make(SSHPasswordGuessingDetector.self,
                                           own: SSHPasswordGuessingDetector.Settings(attemptThreshold: 3))
        for message in banners(2) { detector.main(message) }
        #expect(out.evidence.isEmpty)
        for message in banners(1, firstUID: 3) { detector.main(message) }
        #expect(out.evidence.count == 1)
    }
}
