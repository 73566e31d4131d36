import Foundation
import NetCore
import Records
import Testing
@testable import Detect

private typealias Kit = DetectorsTestKit

/// Slips' conn-level heuristics: level, confidence, direction and description words of each evidence, and the
/// exclusions that keep them quiet.
@Suite("Conn heuristics")
struct ConnHeuristicsTests {
    // MARK: CONNECTION_TO_PRIVATE_IP

    @Test func privateToPrivateIsInfoEvidenceWithSlipsWords() throws {
        let (detector, out) = try Kit.make(PrivateIPConnectionDetector.self)
        let flow = Kit.flow(uid: 1, src: Kit.ip("192.168.1.5"), dst: Kit.ip("192.168.1.9"), dport: 445, state: .SF)
        try detector.main(Kit.message(Kit.flow(uid: 1, src: Kit.ip("192.168.1.5"), dst: Kit.ip("192.168.1.9"),
                                               dport: 445, state: .S0, reason: .interim)))
        try detector.main(Kit.message(flow))
        let evidence = try #require(out.of(.CONNECTION_TO_PRIVATE_IP).first)
        #expect(out.evidence.count == 1)                  // interim + final record: one flow, one evidence
        #expect(evidence.threatLevel == .info && evidence.confidence == 1)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.5"))
        #expect(evidence.victim == Victim(direction: .DST, value: "192.168.1.9"))
        #expect(evidence.description == "Connecting to private IP: 192.168.1.9 on destination port: 445")
        #expect(evidence.profile == ProfileID(ip: Kit.ip("192.168.1.5")))
    }

    /// Slips' "private" is Python's: documentation ranges count, carrier-grade NAT and 0.0.0.0 do not.
    @Test(arguments: [("192.0.2.44", true), ("198.51.100.7", true), ("fe80::1", true), ("fd00::5", true),
                      ("100.64.0.9", false), ("0.0.0.0", false), ("8.8.8.8", false), ("2606:4700::1111", false)])
    func privateAsSlipsSays(address: String, isPrivate: Bool) {
        #expect(Kit.ip(address).isPrivateAsSlips == isPrivate)
    }

    @Test func privateIPICMPSaysProtocol() throws {
        let (detector, out) = try Kit.make(PrivateIPConnectionDetector.self)
        try detector.main(Kit.message(Kit.flow(uid: 2, src: Kit.ip("10.0.0.1"), sport: 8, dst: Kit.ip("10.0.0.2"),
                                               dport: 0, proto: .icmp, state: .OTH)))
        #expect(out.evidence.first?.description == "Connecting to private IP: 10.0.0.2 protocol: ICMP")
    }

    @Test(arguments: [
        // (proto, sport, dst, dport): DNS query, DHCPv6 both ways, DHCP, public destination
        (TransportProtocol.udp, UInt16(40_000), "192.168.1.1", UInt16(53)),
        (.udp, 546, "192.168.1.1", 547),
        (.udp, 547, "192.168.1.1", 546),
        (.udp, 68, "192.168.1.1", 67),
        (.tcp, 40_000, "8.8.8.8", 443),
    ])
    func privateIPExclusions(proto: TransportProtocol, sport: UInt16, dst: String, dport: UInt16) throws {
        let (detector, out) = try Kit.make(PrivateIPConnectionDetector.self)
        try detector.main(Kit.message(Kit.flow(uid: 3, src: Kit.ip("192.168.1.5"), sport: sport, dst: Kit.ip(dst),
                                               dport: dport, proto: proto, state: .SF)))
        #expect(out.evidence.isEmpty)
        // The same flow on TCP port 53 (not a UDP DNS query) is reported: the exclusion is that narrow.
        try detector.main(Kit.message(Kit.flow(uid: 4, src: Kit.ip("192.168.1.5"), dst: Kit.ip("192.168.1.1"),
                                               dport: 53, proto: .tcp, state: .SF)))
        #expect(out.evidence.count == 1)
    }

    /// A reflected SYN-ACK makes its receiver the originator of a flipped flow: not its connection.
    @Test func flippedFlowsAreNotConnectionsOfTheirOriginator() throws {
        let (detector, out) = try Kit.make(PrivateIPConnectionDetector.self)
        try detector.main(Kit.message(Kit.flow(uid: 1, src: Kit.ip("10.78.2.2"), sport: 30_000, dst: Kit.ip("10.78.1.2"),
                                               dport: 443, state: .OTH, flipped: true)))
        #expect(out.evidence.isEmpty)
        #expect(PrivateIPConnectionDetector.enabledByDefault, "on by default, as in Slips")
        var own = DifferentLocalnetDetector.Settings()
        own.localNetwork = "192.168.1.0/24"
        let (localnet, localnetOut) = try Kit.make(DifferentLocalnetDetector.self, own: own)
        try localnet.main(Kit.message(Kit.flow(uid: 2, src: Kit.ip("192.168.1.5"), dst: Kit.ip("10.0.0.9"), dport: 445,
                                               state: .OTH, flipped: true)))
        #expect(localnetOut.evidence.isEmpty)
    }

    // MARK: telnet MULTIPLE_RECONNECTION_ATTEMPTS

    @Test func fourFailedTelnetAttemptsAreMediumEvidenceThenTheCountStartsOver() throws {
        let (detector, out) = try Kit.make(TelnetReconnectionDetector.self)
        let src = Kit.ip("10.0.0.5"), dst = Kit.ip("10.0.0.9")
        for uid in 1...3 {
            try detector.main(Kit.message(Kit.flow(uid: UInt64(uid), src: src, dst: dst, dport: 23, state: .S0,
                                                   start: Double(uid), reason: .interim)))
            try detector.main(Kit.message(Kit.flow(uid: UInt64(uid), src: src, dst: dst, dport: 23, state: .S0,
                                                   start: Double(uid))))
        }
        #expect(out.evidence.isEmpty)                     // 3 attempts (each seen twice) are below 4
        try detector.main(Kit.message(Kit.flow(uid: 4, src: src, dst: dst, dport: 2323, state: .REJ, start: 4)))
        let evidence = try #require(out.evidence.first)
        #expect(evidence.type == .MULTIPLE_RECONNECTION_ATTEMPTS)
        #expect(evidence.threatLevel == .medium && evidence.confidence == 0.5)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "10.0.0.5"))
        #expect(evidence.victim == Victim(direction: .DST, value: "10.0.0.9"))
        #expect(evidence.description
                == "Multiple Telnet reconnection attempts from IP: 10.0.0.5 to Destination IP: 10.0.0.9  reconnections: 4")
        #expect(evidence.uids == (1...4).map { FlowUID(UInt64($0)) })
        for uid in 5...7 {
            try detector.main(Kit.message(Kit.flow(uid: UInt64(uid), src: src, dst: dst, dport: 23, start: Double(uid))))
        }
        #expect(out.evidence.count == 1)                  // reset after the evidence: 3 more are not enough
        try detector.main(Kit.message(Kit.flow(uid: 8, src: src, dst: dst, dport: 23, start: 8)))
        #expect(out.evidence.count == 2)
    }

    @Test func establishedOrOtherPortOrFlippedTelnetFlowsDoNotCount() throws {
        let (detector, out) = try Kit.make(TelnetReconnectionDetector.self)
        let src = Kit.ip("10.0.0.5"), dst = Kit.ip("10.0.0.9")
        for uid in 1...5 {
            try detector.main(Kit.message(Kit.flow(uid: UInt64(uid), src: src, dst: dst, dport: 23, state: .SF)))
            try detector.main(Kit.message(Kit.flow(uid: UInt64(100 + uid), src: src, dst: dst, dport: 22, state: .S0)))
            try detector.main(Kit.message(Kit.flow(uid: UInt64(200 + uid), src: src, dst: dst, dport: 23, state: .S0,
                                                   flipped: true)))
        }
        #expect(out.evidence.isEmpty)
    }

    @Test func telnetSettingsAreReadAndChecked() throws {
        let settings = try SettingsDecoder.decode(TelnetReconnectionDetector.Settings.self,
                                                  from: .section(["threshold": .plain("2")]), path: "telnet_reconnection")
        #expect(settings.threshold == 2 && settings.ports == [23, 2323])
        #expect(throws: (any Error).self) {
            try SettingsDecoder.decode(TelnetReconnectionDetector.Settings.self,
                                       from: .section(["threshold": .plain("0")]), path: "telnet_reconnection")
        }
    }

    // MARK: CONNECTION_TO_MULTIPLE_PORTS

    @Test func establishedFlowsToTwoUnknownPortsOfOneHostAreInfoEvidence() throws {
        let (detector, out) = try Kit.make(MultiplePortsConnectionDetector.self)
        let src = Kit.ip("10.0.0.5"), dst = Kit.ip("203.0.113.9")
        try detector.main(Kit.message(Kit.flow(uid: 1, src: src, dst: dst, dport: 8_123, state: .SF)))
        #expect(out.evidence.isEmpty)                     // one port is not "multiple"
        try detector.main(Kit.message(Kit.flow(uid: 2, src: src, dst: dst, dport: 9_321, state: .SF, start: 1)))
        let evidence = try #require(out.of(.CONNECTION_TO_MULTIPLE_PORTS).first)
        #expect(evidence.threatLevel == .info && evidence.confidence == 0.5)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "10.0.0.5"))
        #expect(evidence.victim == Victim(direction: .DST, value: "203.0.113.9"))
        #expect(evidence.description == "Connection to multiple ports ['8123', '9321'] from 10.0.0.5 to 203.0.113.9. ")
        #expect(evidence.uids == [FlowUID(1), FlowUID(2)])
        // The same two ports again: nothing new to report.
        try detector.main(Kit.message(Kit.flow(uid: 3, src: src, dst: dst, dport: 9_321, state: .SF, start: 2)))
        #expect(out.evidence.count == 1)
        try detector.main(Kit.message(Kit.flow(uid: 4, src: src, dst: dst, dport: 7_777, state: .SF, start: 3)))
        #expect(out.evidence.count == 2)
        #expect(out.evidence.last?.description.contains("['8123', '9321', '7777']") == true)
    }

    @Test func knownServicesUnestablishedAndRecognisedFlowsAreNotMultiplePorts() throws {
        let (detector, out) = try Kit.make(MultiplePortsConnectionDetector.self)
        let src = Kit.ip("10.0.0.5"), dst = Kit.ip("203.0.113.9")
        try detector.main(Kit.message(Kit.flow(uid: 1, src: src, dst: dst, dport: 443, state: .SF)))
        try detector.main(Kit.message(Kit.flow(uid: 2, src: src, dst: dst, dport: 22, state: .SF)))
        try detector.main(Kit.message(Kit.flow(uid: 3, src: src, dst: dst, dport: 8_123, state: .S0)))
        try detector.main(Kit.message(Kit.flow(uid: 4, src: src, dst: dst, dport: 8_124, state: .REJ)))
        var recognised = Kit.flow(uid: 5, src: src, dst: dst, dport: 8_125, state: .SF)
        recognised.service = "http"
        try detector.main(Kit.message(recognised))
        try detector.main(Kit.message(Kit.flow(uid: 6, src: src, dst: dst, dport: 8_126, state: .SF)))
        #expect(out.evidence.isEmpty)
    }

    // MARK: DIFFERENT_LOCALNET

    @Test func destinationOutsideTheLearnedLocalNetworkIsHighWithTheDestinationAsAttacker() throws {
        let (detector, out) = try Kit.make(DifferentLocalnetDetector.self)
        // The first private source teaches the local network: 192.168.0.0/16.
        try detector.main(Kit.message(Kit.flow(uid: 1, src: Kit.ip("192.168.1.5"), dst: Kit.ip("192.168.1.1"),
                                               dport: 80, state: .SF)))
        #expect(out.evidence.isEmpty)
        #expect(detector.localNetwork.network == CIDR("192.168.0.0/16"))
        try detector.main(Kit.message(Kit.flow(uid: 2, src: Kit.ip("192.168.1.5"), dst: Kit.ip("10.0.0.9"),
                                               dport: 445, state: .SF)))
        let evidence = try #require(out.of(.DIFFERENT_LOCALNET).first)
        #expect(out.evidence.count == 1)
        #expect(evidence.threatLevel == .high && evidence.confidence == 1)
        #expect(evidence.attacker == Attacker(direction: .DST, value: "10.0.0.9"))
        #expect(evidence.victim == Victim(direction: .SRC, value: "192.168.1.5"))
        #expect(evidence.profile == ProfileID(ip: Kit.ip("10.0.0.9")))
        #expect(evidence.description == "A connection to a private IP (10.0.0.9) on port 445/tcp outside of the used "
                + "local network 192.168.0.0/16. From IP: 192.168.1.5 on destination port: 445/TCP")
    }

    @Test func sourceOutsideTheLocalNetworkIsLowWithTheSourceAsAttacker() throws {
        var own = DifferentLocalnetDetector.Settings()
        own.localNetwork = "192.168.1.0/24"
        let (detector, out) = try Kit.make(DifferentLocalnetDetector.self, own: own)
        try detector.main(Kit.message(Kit.flow(uid: 1, src: Kit.ip("172.16.4.4"), dst: Kit.ip("192.168.1.9"),
                                               dport: 3389, state: .SF)))
        let evidence = try #require(out.evidence.first)
        #expect(out.evidence.count == 1)
        #expect(evidence.threatLevel == .low && evidence.confidence == 1)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "172.16.4.4"))
        #expect(evidence.victim == Victim(direction: .DST, value: "192.168.1.9"))
        #expect(evidence.description == "A connection from a private IP (172.16.4.4) on port 3389/tcp outside of the "
                + "used local network 192.168.1.0/24. To IP: 192.168.1.9 ")
    }

    @Test func differentLocalnetExclusions() throws {
        var own = DifferentLocalnetDetector.Settings()
        own.localNetwork = "192.168.1.0/24"
        let (detector, out) = try Kit.make(DifferentLocalnetDetector.self, own: own)
        let local = Kit.ip("192.168.1.5")
        // DNS query to a private server elsewhere, a public destination, link-local, multicast, inside the network.
        try detector.main(Kit.message(Kit.flow(uid: 1, src: local, dst: Kit.ip("10.0.0.53"), dport: 53, proto: .udp)))
        try detector.main(Kit.message(Kit.flow(uid: 2, src: local, dst: Kit.ip("8.8.8.8"), dport: 445, state: .SF)))
        try detector.main(Kit.message(Kit.flow(uid: 3, src: local, dst: Kit.ip("169.254.3.3"), dport: 445, state: .SF)))
        try detector.main(Kit.message(Kit.flow(uid: 4, src: local, dst: Kit.ip("239.255.255.250"), dport: 1900, proto: .udp)))
        try detector.main(Kit.message(Kit.flow(uid: 5, src: local, dst: Kit.ip("192.168.1.77"), dport: 445, state: .SF)))
        #expect(out.evidence.isEmpty)
        #expect(throws: (any Error).self) {
            try SettingsDecoder.decode(DifferentLocalnetDetector.Settings.self,
                                       from: .section(["local_network": .plain("not-a-range")]), path: "different_localnet")
        }
    }

    @Test func noLocalNetworkIsLearnedFromPublicSources() throws {
        let (detector, out) = try Kit.make(DifferentLocalnetDetector.self)
        try detector.main(Kit.message(Kit.flow(uid: 1, src: Kit.ip("8.8.8.8"), dst: Kit.ip("10.0.0.9"), dport: 22)))
        #expect(detector.localNetwork.network == nil)
        #expect(out.evidence.isEmpty)
    }

    // MARK: DEVICE_CHANGING_IP

    @Test func aMACSeenWithANewPrivateAddressIsMediumEvidence() throws {
        let (detector, out) = try Kit.make(DeviceChangingIPDetector.self)
        let mac = MACAddress(0x0200_0000_0001)
        var first = Kit.flow(uid: 1, src: Kit.ip("192.168.1.5"), dst: Kit.ip("198.51.100.1"), dport: 443, state: .SF)
        first.originatorMAC = mac
        var again = first; again.uid = FlowUID(2)
        var moved = first; moved.uid = FlowUID(3); moved.originator = Kit.ip("192.168.1.7")
        var movedAgain = moved; movedAgain.uid = FlowUID(4)
        for flow in [first, again, moved, movedAgain] { try detector.main(Kit.message(flow)) }
        let evidence = try #require(out.of(.DEVICE_CHANGING_IP).first)
        #expect(out.evidence.count == 1)                  // each source address is checked once
        #expect(evidence.threatLevel == .medium && evidence.confidence == 0.8)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "192.168.1.7"))
        #expect(evidence.victim == nil)
        #expect(evidence.description == "A device changing IPs. IP 192.168.1.7 was found with MAC address "
                + "02:00:00:00:00:01 but the MAC belongs originally to IP: 192.168.1.5. ")
        #expect(evidence.uids == [FlowUID(3)])
    }

    @Test func theGatewaysMACIsNeverADeviceChangingIP() throws {
        let (detector, out) = try Kit.make(DeviceChangingIPDetector.self)
        let host = MACAddress(0x0200_0000_0003), router = MACAddress(0x0200_0000_00FE)
        var out1 = Kit.flow(uid: 1, src: Kit.ip("192.168.1.5"), dst: Kit.ip("8.8.8.8"), dport: 443, state: .SF)
        out1.originatorMAC = host; out1.responderMAC = router            // teaches the gateway's MAC
        var routed1 = Kit.flow(uid: 2, src: Kit.ip("10.20.0.1"), dst: Kit.ip("192.168.1.5"), dport: 22, state: .SF)
        routed1.originatorMAC = router
        var routed2 = routed1; routed2.uid = FlowUID(3); routed2.originator = Kit.ip("10.20.0.2")
        for flow in [out1, routed1, routed2] { try detector.main(Kit.message(flow)) }
        #expect(detector.gatewayMAC == router)
        #expect(out.evidence.isEmpty)
    }

    @Test func deviceChangingIPExclusions() throws {
        let (detector, out) = try Kit.make(DeviceChangingIPDetector.self)
        let mac = MACAddress(0x0200_0000_0002)
        // Link-local first (allowed to change), then a DHCP-assigned address: no evidence.
        var linkLocal = Kit.flow(uid: 1, src: Kit.ip("169.254.1.1"), dst: Kit.ip("192.168.1.1"), dport: 80)
        linkLocal.originatorMAC = mac
        var assigned = linkLocal; assigned.uid = FlowUID(2); assigned.originator = Kit.ip("192.168.1.8")
        // A public source with the same MAC, and records without a MAC.
        var publicSource = linkLocal; publicSource.uid = FlowUID(3); publicSource.originator = Kit.ip("8.8.4.4")
        var noMAC = linkLocal; noMAC.uid = FlowUID(4); noMAC.originator = Kit.ip("192.168.1.9"); noMAC.originatorMAC = .zero
        for flow in [linkLocal, assigned, publicSource, noMAC] { try detector.main(Kit.message(flow)) }
        #expect(out.evidence.isEmpty)
    }
}
