import NetCore
import Records
import Testing
@testable import Detect

private typealias Kit = DetectorsTestKit

/// Slips' SSH_SUCCESSFUL (ssh.log auth_success, or bytes > 4290 on the session's flow) and MULTIPLE_SSH_VERSIONS
/// (software.log).
@Suite("SSH detections")
struct SSHDetectionsTests {
    let client = Kit.ip("10.0.0.5")
    let server = Kit.ip("198.51.100.22")

    func finalFlow(uid: UInt64, bytes: UInt64, reason: ConnRecord.Reason = .expired, port: UInt16 = 22) -> ChannelMessage {
        Kit.message(Kit.flow(uid: uid, src: client, sport: 50_000, dst: server, dport: port, state: .SF, start: 0,
                             duration: 20, origPackets: 20, respPackets: 20, origBytes: bytes / 2,
                             respBytes: bytes - bytes / 2, reason: reason))
    }

    @Test func zeekAuthSuccessIsSuccessfulByZeek() throws {
        let (detector, out) = try Kit.make(SSHSuccessfulDetector.self)
        try detector.main(Kit.sshLog(uid: 1, client: client, server: server, authSuccess: true))
        #expect(out.evidence.isEmpty)   // waits for the flow's bytes
        try detector.main(finalFlow(uid: 1, bytes: 100))
        let evidence = try #require(out.evidence.only)
        #expect(evidence.type == .SSH_SUCCESSFUL)
        #expect(evidence.description
                == "SSH successful to IP 198.51.100.22. From IP 10.0.0.5. Sent bytes: 100. Detection model Zeek. Confidence 0.8")
        #expect(evidence.threatLevel == .info && evidence.confidence == 0.8)
        #expect(evidence.attacker.direction == .SRC && evidence.attacker.value == "10.0.0.5")
        #expect(evidence.victim?.direction == .DST && evidence.victim?.value == "198.51.100.22")
        #expect(evidence.uids == [FlowUID(1)] && evidence.profile.ip == client)
    }

    @Test func bytesAboveThresholdAreSuccessfulBySlipsAndAtThresholdAreNot() throws {
        let (detector, out) = try Kit.make(SSHSuccessfulDetector.self)
        try detector.main(Kit.sshLog(uid: 1, client: client, server: server, authSuccess: false))
        try detector.main(finalFlow(uid: 1, bytes: 4290))
        try detector.main(Kit.sshLog(uid: 2, client: client, server: server, authSuccess: nil))
        try detector.main(finalFlow(uid: 2, bytes: 4291))
        let evidence = try #require(out.evidence.only)
        #expect(evidence.uids == [FlowUID(2)])
        #expect(evidence.description.hasSuffix("Sent bytes: 4291. Detection model Slips. Confidence 0.8"))
    }

    @Test func flowBeforeItsSSHRecordAndInterimFlowsWait() throws {
        let (detector, out) = try Kit.make(SSHSuccessfulDetector.self)
        try detector.main(finalFlow(uid: 3, bytes: 9000))                          // conn.log line first
        try detector.main(Kit.sshLog(uid: 3, client: client, server: server, authSuccess: nil))
        #expect(out.evidence.only?.description.contains("Sent bytes: 9000. Detection model Slips") == true)
        // Packet banners: two per connection, an interim report, then the final record — one evidence.
        try detector.main(Kit.ssh(uid: 4, client: client, server: server, port: 2222, fromServer: false))
        try detector.main(Kit.ssh(uid: 4, client: client, server: server, port: 2222, fromServer: true))
        try detector.main(finalFlow(uid: 4, bytes: 8000, reason: .interim, port: 2222))
        #expect(out.evidence.count == 1)
        try detector.main(finalFlow(uid: 4, bytes: 8000, port: 2222))
        try detector.main(finalFlow(uid: 4, bytes: 8000, port: 2222))
        #expect(out.evidence.count == 2 && out.evidence[1].uids == [FlowUID(4)])
        // A non-SSH flow with many bytes and no SSH record is nothing.
        try detector.main(finalFlow(uid: 5, bytes: 90_000, port: 443))
        #expect(out.evidence.count == 2)
    }

    @Test func waitingSessionsAreBoundedUnderAMillionDistinctUIDs() throws {
        var settings = SSHSuccessfulDetector.Settings()
        settings.rememberedSessions = 4096
        let (detector, out) = try Kit.make(SSHSuccessfulDetector.self, own: settings)
        for uid in 0..<1_000_000 {
            try detector.main(Kit.sshLog(uid: UInt64(uid), client: client, server: server, authSuccess: true))
        }
        #expect(detector.sessions.count == 4096)
        try detector.main(finalFlow(uid: 999_999, bytes: 10))   // still remembered: the newest
        try detector.main(finalFlow(uid: 0, bytes: 10))         // long forgotten
        #expect(out.evidence.map(\.uids) == [[FlowUID(999_999)]])
    }

    @Test func sshVersionChangesOfClientAndServer() throws {
        let (detector, out) = try Kit.make(SSHVersionChangeDetector.self)
        let host = Kit.ip("10.0.0.9")
        try detector.main(Kit.software(at: 1, host: host, type: "SSH::CLIENT", major: 8, minor: 2))
        try detector.main(Kit.software(at: 2, host: host, type: "SSH::CLIENT", major: 8, minor: 2))
        try detector.main(Kit.software(at: 3, host: host, type: "HTTP::BROWSER", major: 120, minor: 0))
        try detector.main(Kit.software(at: 4, host: host, type: "SSH::SERVER", major: 9, minor: 6))
        #expect(out.evidence.isEmpty)
        try detector.main(Kit.software(at: 5, host: host, type: "SSH::CLIENT", major: 8, minor: 9))
        try detector.main(Kit.software(at: 6, host: host, type: "SSH::SERVER", major: 7, minor: 4))
        #expect(out.evidence.map(\.description) == ["SSH client version changing from 8_2 to 8_9",
                                                    "SSH server version changing from 9_6 to 7_4"])
        #expect(out.evidence.allSatisfy {
            $0.type == .MULTIPLE_SSH_VERSIONS && $0.threatLevel == .medium && $0.confidence == 0.9
                && $0.attacker.direction == .SRC && $0.attacker.value == "10.0.0.9" && $0.profile.ip == host
        })
    }

    @Test func versionStateIsBoundedUnderAMillionDistinctHosts() throws {
        let (detector, out) = try Kit.make(SSHVersionChangeDetector.self)
        for index in 0..<1_000_000 {
            try detector.main(Kit.software(at: 1, host: Kit.ip("10.0.0.0", plus: index), type: "SSH::CLIENT", major: 8, minor: 2))
        }
        #expect(detector.trackedHosts == 65_536 && detector.budget.refused == 1_000_000 - 65_536)
        #expect(out.evidence.isEmpty)
    }
}
