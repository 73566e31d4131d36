import Detect
import NetCore
import Records
import Testing

private typealias Kit = DetectorsTestKit

/// Zeek's notices and tunnels become Slips' evidence with Slips' levels and words.
@Suite("Zeek notices and GRE tunnels")
struct ZeekLogDetectorsTests {
    func noticeMessage(note: String, message: String, source: String?) -> ChannelMessage {
        var notice = NoticeRecord(time: Kit.at(5))
        notice.note = note
        notice.message = message
        notice.source = source.flatMap(IPAddress.init)
        return .record(RecordMessage(record: notice, profile: ProfileID(ip: notice.profileIP),
                                     timeWindow: Kit.window(for: notice.time)))
    }

    @Test func scanAndGuessingNoticesAreSlipsEvidence() throws {
        let (detector, out) = try Kit.make(ZeekNoticeDetector.self)
        try detector.main(noticeMessage(note: "Scan::Port_Scan",
                                        message: "192.168.1.200 scanned at least 15 unique ports of host 192.168.1.102 in 0m1s",
                                        source: "192.168.1.200"))
        try detector.main(noticeMessage(note: "Scan::Address_Scan",
                                        message: "10.0.0.5 scanned at least 15 unique hosts on port 23/tcp in 0m3s",
                                        source: "10.0.0.5"))
        try detector.main(noticeMessage(note: "SSH::Password_Guessing",
                                        message: "203.0.113.30 appears to be guessing SSH passwords (seen in 30 connections).",
                                        source: nil))
        try detector.main(noticeMessage(note: "SSL::Invalid_Server_Cert", message: "whatever", source: "10.0.0.1"))
        #expect(out.evidence.map(\.type) == [.VERTICAL_PORT_SCAN, .HORIZONTAL_PORT_SCAN, .PASSWORD_GUESSING])
        let vertical = out.evidence[0]
        #expect(vertical.description.hasPrefix("vertical port scan by Zeek engine. 192.168.1.200 scanned"))
        #expect(vertical.attacker.value == "192.168.1.200" && vertical.victim?.value == "192.168.1.102")
        #expect(vertical.threatLevel == .high && vertical.confidence == 1)
        #expect(out.evidence[1].description.hasPrefix("horizontal port scan by Zeek engine. 10.0.0.5"))
        #expect(out.evidence[1].attacker.value == "10.0.0.5")
        #expect(out.evidence[2].description
                == "password guessing. 203.0.113.30 appears to be guessing SSH passwords (seen in 30 connections).. Detected by zeek.")
        #expect(out.evidence[2].attacker.value == "203.0.113.30" && out.evidence[2].profile.ip == IPAddress("203.0.113.30"))
    }

    @Test func greTunnelsAndGREScans() throws {
        let (detector, out) = try Kit.make(GRETunnelDetector.self)
        for (type, action) in [("Tunnel::GRE", "Tunnel::DISCOVER"), ("Tunnel::GRE", "Tunnel::CLOSE"), ("Tunnel::IP", "Tunnel::DISCOVER")] {
            var tunnel = TunnelRecord(time: Kit.at(1), uid: FlowUID(7),
                                      id: ConnectionID(originator: Kit.ip("198.51.100.1"), responder: Kit.ip("10.0.0.2")))
            tunnel.tunnelType = type
            tunnel.action = action
            try detector.main(.record(RecordMessage(record: tunnel, profile: ProfileID(ip: tunnel.profileIP),
                                                    timeWindow: Kit.window(for: tunnel.time))))
        }
        #expect(out.evidence.map(\.type) == [.GRE_SCAN, .GRE_TUNNEL])
        #expect(out.evidence[0].description == "GRE scan from 198.51.100.1 to 10.0.0.2 tunnel action: Tunnel::DISCOVER")
        #expect(out.evidence[1].description == "GRE tunnel from 198.51.100.1 to 10.0.0.2 tunnel action: Tunnel::CLOSE")
        #expect(out.evidence.allSatisfy { $0.threatLevel == .low && $0.confidence == 1 && $0.victim?.value == "10.0.0.2" })
    }
}
