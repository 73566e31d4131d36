import NetCore
import Records
import Testing
@testable import Detect

/// `ARPAttacksDetector`: Slips' ARP_OUTSIDE_LOCALNET, UNSOLICITED_ARP and MITM_ARP_ATTACK triggers, words and
/// weights; ARP evidence never lists a uid (so it is never verified); one report per key and window.
@Suite("ARP attacks")
struct ARPAttacksTests {
    private typealias Kit = DetectorsTestKit

    private static func arp(at seconds: Double = 1, operation: UInt16, senderMAC: UInt64 = 0x0200_0000_0001,
                            sender: String, target: String, targetMAC: MACAddress = .zero,
                            destinationMAC: MACAddress = .broadcast) -> ChannelMessage {
        let time = Kit.at(seconds)
        let record = ARPRecord(time: time, operation: operation, senderMAC: MACAddress(senderMAC),
                               senderIP: Kit.ip(sender), targetMAC: targetMAC, targetIP: Kit.ip(target),
                               destinationMAC: destinationMAC)
        return .record(ARPMessage(record: record, profile: ProfileID(ip: Kit.ip(sender)), timeWindow: Kit.window(for: time)))
    }

    @Test func requestOutsideTheHomeNetworkIsEvidenceWithSlipsWords() throws {
        let (detector, collected) = try Kit.make(ARPAttacksDetector.self)
        try detector.main(Self.arp(operation: 1, sender: "192.168.1.15", target: "69.220.152.0"))
        let found = collected.of(.ARP_OUTSIDE_LOCALNET)
        try #require(found.count == 1)
        #expect(found[0].description
                == "192.168.1.15 sending ARP packet to a destination address outside of local network: 69.220.152.0. ")
        #expect(found[0].threatLevel == .low && found[0].confidence == 0.6)
        #expect(found[0].victim?.value == "69.220.152.0" && found[0].uids.isEmpty)
        // The same pair again in the same window: no second evidence; in the next window: again.
        try detector.main(Self.arp(at: 2, operation: 1, sender: "192.168.1.15", target: "69.220.152.0"))
        #expect(collected.of(.ARP_OUTSIDE_LOCALNET).count == 1)
        try detector.main(Self.arp(at: 3_700, operation: 1, sender: "192.168.1.15", target: "69.220.152.0"))
        #expect(collected.of(.ARP_OUTSIDE_LOCALNET).count == 2)
    }

    @Test(arguments: [
        ("192.168.1.15", "192.168.7.7"),   // inside 192.168.0.0/16
        ("192.168.1.15", "10.1.2.3"),      // inside 10.0.0.0/8
        ("0.0.0.0", "69.220.152.0"),       // probe
        ("192.168.1.15", "224.0.0.251"),   // multicast
        ("192.168.1.15", "169.254.3.3"),   // link-local
        ("100.64.0.5", "100.99.1.1"),      // starts with the sender's first octet, as Slips compares text
    ])
    func requestsSlipsLeavesAloneAreNotEvidence(sender: String, target: String) throws {
        let (detector, collected) = try Kit.make(ARPAttacksDetector.self)
        try detector.main(Self.arp(operation: 1, sender: sender, target: target))
        #expect(collected.of(.ARP_OUTSIDE_LOCALNET).isEmpty)
    }

    @Test func configuredHomeNetworkReplacesSlipsRanges() throws {
        var own = ARPAttacksDetector.Settings()
        own.homeNetwork = ["69.220.0.0/16"]
        let (detector, collected) = try Kit.make(ARPAttacksDetector.self, own: own)
        try detector.main(Self.arp(operation: 1, sender: "192.168.1.15", target: "69.220.152.0"))
        #expect(collected.of(.ARP_OUTSIDE_LOCALNET).isEmpty)
        try detector.main(Self.arp(operation: 1, sender: "192.168.1.15", target: "10.9.9.9"))
        #expect(collected.of(.ARP_OUTSIDE_LOCALNET).count == 1)
    }

    @Test func broadcastReplyToBroadcastIsUnsolicited() throws {
        let (detector, collected) = try Kit.make(ARPAttacksDetector.self)
        // Just short of the trigger: broadcast Ethernet destination, but a unicast payload target.
        try detector.main(Self.arp(operation: 2, sender: "192.168.1.15", target: "192.168.1.1",
                                   targetMAC: MACAddress(0x0200_0000_0009)))
        // A request with both broadcasts is not a reply.
        try detector.main(Self.arp(operation: 1, sender: "192.168.1.15", target: "192.168.1.1", targetMAC: .broadcast))
        // A sender MAC of zero.
        try detector.main(Self.arp(operation: 2, senderMAC: 0, sender: "192.168.1.16", target: "192.168.1.1",
                                   targetMAC: .broadcast))
        #expect(collected.of(.UNSOLICITED_ARP).isEmpty)
        try detector.main(Self.arp(operation: 2, sender: "192.168.1.15", target: "192.168.1.15", targetMAC: .broadcast))
        let found = collected.of(.UNSOLICITED_ARP)
        try #require(found.count == 1)
        #expect(found[0].description == "broadcasting unsolicited ARP")
        #expect(found[0].threatLevel == .low && found[0].confidence == 0.8 && found[0].uids.isEmpty)
        #expect(found[0].attacker.value == "192.168.1.15")
    }

    @Test func macClaimingTheGatewaysIPIsAMITMOnTheMACsOwnHost() throws {
        var own = ARPAttacksDetector.Settings()
        own.gateway = "192.168.1.1"
        let (detector, collected) = try Kit.make(ARPAttacksDetector.self, own: own)
        // The gateway and the attacker each announce themselves first.
        try detector.main(Self.arp(operation: 2, senderMAC: 0x0200_0000_00AA, sender: "192.168.1.1",
                                   target: "192.168.1.1", targetMAC: .broadcast))
        try detector.main(Self.arp(operation: 1, senderMAC: 0x0200_0000_00EE, sender: "192.168.1.66",
                                   target: "192.168.1.1"))
        // The gateway again (same MAC, same IP): nothing.
        try detector.main(Self.arp(at: 2, operation: 2, senderMAC: 0x0200_0000_00AA, sender: "192.168.1.1",
                                   target: "192.168.1.1", targetMAC: .broadcast))
        // A non-gratuitous reply from the attacker claiming the gateway's IP (unicast target MAC): not judged.
        try detector.main(Self.arp(at: 3, operation: 2, senderMAC: 0x0200_0000_00EE, sender: "192.168.1.1",
                                   target: "192.168.1.5", targetMAC: MACAddress(0x0200_0000_0005)))
        #expect(collected.of(.MITM_ARP_ATTACK).isEmpty)
        // Gratuitous: the attacker's MAC now claims the gateway's IP.
        try detector.main(Self.arp(at: 4, operation: 2, senderMAC: 0x0200_0000_00EE, sender: "192.168.1.1",
                                   target: "192.168.1.1", targetMAC: .broadcast))
        let found = collected.of(.MITM_ARP_ATTACK)
        try #require(found.count == 1)
        #expect(found[0].threatLevel == .critical && found[0].confidence == 0.2 && found[0].uids.isEmpty)
        #expect(found[0].attacker.value == "192.168.1.66" && found[0].profile.ip == Kit.ip("192.168.1.66"))
        #expect(found[0].victim?.value == "192.168.1.1")
        #expect(found[0].description == "The gateway 192.168.1.1 performing a MITM ARP attack. The MAC 02:00:00:00:00:ee, "
                + "now belonging to The gateway 192.168.1.1, was seen before for IP 192.168.1.66.")
    }

    @Test func flowsTeachTheMACsFirstIP() throws {
        let (detector, collected) = try Kit.make(ARPAttacksDetector.self)
        // A flow without a proven handshake (it could be forged) teaches nothing.
        var forged = Kit.flow(uid: 1, src: Kit.ip("192.168.1.21"), dst: Kit.ip("192.0.2.1"), dport: 443, handshake: false)
        forged.originatorMAC = MACAddress(0x0200_0000_0020)
        try detector.main(Kit.message(forged))
        var flow = Kit.flow(uid: 2, src: Kit.ip("192.168.1.20"), dst: Kit.ip("192.0.2.1"), dport: 443, handshake: true)
        flow.originatorMAC = MACAddress(0x0200_0000_0020)
        try detector.main(Kit.message(flow))
        try detector.main(Self.arp(operation: 2, senderMAC: 0x0200_0000_0020, sender: "192.168.1.30",
                                   target: "192.168.1.30", targetMAC: .zero))
        #expect(collected.of(.MITM_ARP_ATTACK).map(\.attacker.value) == ["192.168.1.20"])
    }
}
