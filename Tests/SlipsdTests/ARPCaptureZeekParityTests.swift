import Foundation
import NetCore
import Testing
import TestSupport
@testable import slipsd

/// The same ARP traffic once as a capture (`slipsd -r`, the packet path's ARP records) and once as Slips' Zeek
/// arp.log (`slipsd -f`): the same ARP_OUTSIDE_LOCALNET, UNSOLICITED_ARP and MITM_ARP_ATTACK evidence.
@Suite("ARP attacks: capture and Zeek log agree", .serialized)
struct ARPCaptureZeekParityTests {
    private struct Packet {
        var seconds: Double
        var operation: UInt16
        var senderMAC: MACAddress
        var senderIP: String
        var targetMAC: MACAddress
        var targetIP: String
        var destinationMAC: MACAddress
    }

    private static let attacker = MACAddress(0x0200_0000_0066)
    private static let host = MACAddress(0x0200_0000_0015)
    private static let traffic: [Packet] = [
        // A request for an address outside the local network.
        Packet(seconds: 1, operation: 1, senderMAC: host, senderIP: "192.168.1.15", targetMAC: .zero,
               targetIP: "69.220.152.0", destinationMAC: .broadcast),
        // An unsolicited (gratuitous) reply to everyone.
        Packet(seconds: 2, operation: 2, senderMAC: host, senderIP: "192.168.1.15", targetMAC: .broadcast,
               targetIP: "192.168.1.15", destinationMAC: .broadcast),
        // A host asks for the gateway, then its MAC claims the gateway's address.
        Packet(seconds: 3, operation: 1, senderMAC: attacker, senderIP: "192.168.1.66", targetMAC: .zero,
               targetIP: "192.168.1.1", destinationMAC: .broadcast),
        Packet(seconds: 4, operation: 2, senderMAC: attacker, senderIP: "192.168.1.1", targetMAC: .broadcast,
               targetIP: "192.168.1.1", destinationMAC: .broadcast),
    ]
    private static let start = 1_700_000_000.0

    /// The ARP evidence lines of alerts.log, without the run-specific parts.
    private static func arpLines(_ arguments: [String], in dir: String) throws -> [String] {
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, arguments + ["-o", dir])
        #expect(result.status == 0, "\(result.stderr)")
        let alerts = try String(contentsOfFile: dir + "/alerts/alerts.log", encoding: .utf8)
        return alerts.split(separator: "\n").map(String.init)
            .filter { $0.contains("ARP") }
    }

    @Test(.timeLimit(.minutes(2)))
    func captureAndZeekLogGiveTheSameEvidence() throws {
        try #require(FileManager.default.isExecutableFile(atPath: RepositoryPaths.slipsdBinary),
                     "slipsd is not built at \(RepositoryPaths.slipsdBinary)")
        let dir = NSTemporaryDirectory() + "slipsd-arp-parity-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        var pcap = PcapFileWriter()
        var log = ""
        for packet in Self.traffic {
            let message = PacketBuilder.arpMessage(operation: packet.operation, senderMAC: packet.senderMAC,
                                                   senderIP: IPAddress(packet.senderIP)!, targetMAC: packet.targetMAC,
                                                   targetIP: IPAddress(packet.targetIP)!)
            let time = PacketTime(microseconds: Int64((Self.start + packet.seconds) * 1_000_000))
            pcap.append(PacketBuilder.frame(message, etherType: 0x0806, srcMAC: packet.senderMAC,
                                            dstMAC: packet.destinationMAC), time: time)
            log += "{\"ts\":\(Self.start + packet.seconds),\"operation\":\"\(packet.operation == 1 ? "request" : "reply")\","
                + "\"src_mac\":\"\(packet.senderMAC)\",\"dst_mac\":\"\(packet.destinationMAC)\","
                + "\"orig_h\":\"\(packet.senderIP)\",\"resp_h\":\"\(packet.targetIP)\","
                + "\"orig_hw\":\"\(packet.senderMAC)\",\"resp_hw\":\"\(packet.targetMAC)\"}\n"
        }
        try pcap.write(to: dir + "/arp.pcap")
        try Data(log.utf8).write(to: URL(fileURLWithPath: dir + "/arp.log"))

        let fromCapture = try Self.arpLines(["-r", dir + "/arp.pcap"], in: dir + "/capture")
        let fromZeek = try Self.arpLines(["-f", dir + "/arp.log"], in: dir + "/zeek")
        #expect(fromCapture == fromZeek, "capture:\n\(fromCapture.joined(separator: "\n"))\nzeek:\n\(fromZeek.joined(separator: "\n"))")
        let text = fromCapture.joined(separator: "\n")
        #expect(text.contains("192.168.1.15 sending ARP packet to a destination address outside of local network: 69.220.152.0."))
        #expect(text.components(separatedBy: "broadcasting unsolicited ARP").count - 1 == 2)
        #expect(text.contains("192.168.1.1 performing a MITM ARP attack. The MAC 02:00:00:00:00:66, now belonging to "
                              + "192.168.1.1, was seen before for IP 192.168.1.66."), "\(text)")
    }
}
